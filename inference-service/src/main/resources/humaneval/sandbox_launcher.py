# Runs one untrusted Python program for Sandbox.java.
#
# usage: python3 -c <this file> MODE PROGRAM WORKDIR PYTHON MEMORY_BYTES CPU_SECONDS MAX_PROCESSES UID
#
# MODE "isolated": we are root inside fresh mount, network and pid namespaces (unshare) and are
#   pid 1 there, so when we exit the kernel kills everything the program forked. We make every
#   existing mount read-only, put private tmpfs over the world-writable places, then run the
#   program as UID, an unused uid of its own: root ignores RLIMIT_NPROC, and the limit counts
#   all processes of a uid, so a fork bomb must not share its uid with a neighbouring sample.
# MODE "plain": fallback without privileges: only resource limits and a new session, which
#   Sandbox.java kills as a whole process group on timeout.
# Either way we stay as the program's parent, so it cannot reach Sandbox.java's JVM via getppid().
import ctypes
import os
import resource
import sys

mode, program, workdir, python = sys.argv[1:5]
memory_bytes, cpu_seconds, max_processes, uid = (int(a) for a in sys.argv[5:9])

MS_RDONLY, MS_REMOUNT, MS_BIND = 1, 32, 4096


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


def run_program(directory):
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
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    env = {"PATH": "/usr/bin:/bin", "HOME": directory, "LANG": "C.UTF-8"}
    os.execvpe(python, [python, "-I", "program.py"], env)


if mode == "isolated":
    directory = isolate()
else:
    os.setsid()
    directory = workdir
    if os.getuid() == 0:  # root without namespaces still drops to a uid of its own
        os.chown(workdir, uid, uid)
        os.chown(program, uid, uid)
child = os.fork()
if child == 0:
    try:
        run_program(directory)
    finally:
        os._exit(127)  # exec failed: never fall through into the parent's code
# in "isolated" we are pid 1: our exit takes every leftover process with it
_, status = os.waitpid(child, 0)
sys.exit(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status))
