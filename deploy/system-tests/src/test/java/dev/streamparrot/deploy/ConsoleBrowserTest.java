package dev.streamparrot.deploy;

import dev.streamparrot.kafka.DeadLetters;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.testkit.PythonStdlib;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The web console in a real browser (headless Chromium) against the whole local cluster as `up` starts it,
 * with API keys on: every page loads without a console error, a completion streams into the page token by
 * token and a cancel stops it, a repository added in the page reaches done, and a dead letter whose reason
 * is markup is shown as text. Screenshots of each page go to target/console-*.png.
 */
class ConsoleBrowserTest {
    static final String API_KEY = "console-test-key";
    static final String HOSTILE_REASON = "<img src=x onerror=\"document.title='pwned'\"><b>bold</b> & <script>alert(1)</script>";
    static final Path SCREENSHOTS = Path.of("target");

    @Test
    void theConsoleShowsTheRunningSystem(@TempDir Path home) throws Exception {
        Browser browser = Browser.find();
        WholeClusterRestartTest.Cluster cluster = new WholeClusterRestartTest.Cluster(home,
                "--set", "inference:streamparrot.inference.api-keys=" + API_KEY);
        WebDriver driver = null;
        try {
            cluster.up();
            String console = cluster.url("console");
            // the real pipeline up to a served checkpoint: a small corpus, a 1024-token tokenizer
            Path corpus = WholeClusterRestartTest.copyPackages(home.resolve("corpus"), "email", "json", "http", "logging", "urllib");
            cluster.ingestAndActivateTokenizer(corpus);
            putHostileDeadLetter(cluster);
            cluster.awaitCheckpointAfter(0);
            awaitServedModel(cluster.url("inference"));

            driver = browser.start();
            driver.manage().window().setSize(new org.openqa.selenium.Dimension(1400, 1000));
            driver.get(console + "/#pipeline");
            driver.findElement(By.id("api-key")).sendKeys(API_KEY);
            driver.findElement(By.cssSelector("#api-key-form button")).click();

            // Pipeline: topics, the stream stages' lag, the active release, and the dead letter as text
            WebDriver d = driver;
            await(() -> d.findElements(By.cssSelector("#topics tbody tr")).size() > 5, "topic rows");
            await(() -> d.findElements(By.cssSelector("#releases .badge.active")).size() == 1, "the active tokenizer release");
            await(() -> d.findElements(By.cssSelector("#groups tr[data-group=tokenize]")).size() == 1, "the tokenize stage's lag");
            await(() -> d.findElements(By.cssSelector("#dead-letters tr.dead-letter")).size() == 1, "the dead letter");
            WebElement reason = driver.findElement(By.cssSelector("#dead-letters tr.dead-letter td.reason"));
            assertTrue(reason.getText().endsWith(HOSTILE_REASON), "the reason is shown literally: " + reason.getText());
            assertEquals(List.of(), driver.findElements(By.cssSelector("#dead-letters img, #dead-letters b, #dead-letters script")),
                    "no element was made from the reason");
            assertEquals("StreamParrot console", driver.getTitle(), "no script of the reason ran");
            screenshot(driver, "pipeline");

            // Training: the checkpoint the inference service serves, and its eval figures charted
            driver.get(console + "/#training");
            await(() -> d.findElements(By.cssSelector("#checkpoints .badge.served")).size() == 1, "the served checkpoint marked");
            await(() -> d.findElements(By.cssSelector("#chart-loss svg circle")).size() >= 1, "a training-loss point");
            await(() -> d.findElements(By.cssSelector("#trainer-status dd")).size() >= 5, "the trainer's figures");
            screenshot(driver, "training");

            // Playground: the completion grows in the page chunk by chunk, and cancel stops a stream
            driver.get(console + "/#playground");
            await(() -> d.findElement(By.id("completion-model")).getText().startsWith("step-"), "the served model named");
            setValue(driver, "max_tokens", "48");
            setValue(driver, "temperature", "1.0");
            List<Long> lengths = streamAndWatch(driver);
            assertEquals("done", driver.findElement(By.id("completion-state")).getText(), "the stream ended with [DONE]");
            long distinct = lengths.stream().distinct().count();
            assertTrue(distinct >= 3, "the text grew in several steps, not at once: lengths seen " + lengths);
            int chunks = Integer.parseInt(driver.findElement(By.id("completion-chunks")).getText());
            assertTrue(chunks >= 3, "chunks: " + chunks);
            assertTrue(driver.findElement(By.id("completion-model")).getText().startsWith("step-"), "the model that answered");
            screenshot(driver, "playground");
            assertCancelStops(driver);

            // Repositories: a local git repository added in the page is cloned and ingested
            Path repo = gitRepository(home.resolve("repo"));
            driver.get(console + "/#repositories");
            driver.findElement(By.id("repo-url")).sendKeys(repo.toString());
            driver.findElement(By.cssSelector("#repo-form button")).click();
            await(() -> statusOf(d, repo.toString()).equals("done"), "the repository reaches done (now: " + statusOf(d, repo.toString()) + ")");
            screenshot(driver, "repositories");

            assertNoConsoleErrors(driver);
        } catch (AssertionError e) {
            if (driver == null) throw e;
            screenshot(driver, "failure");
            String banner = driver.findElement(By.id("error")).getText();
            throw new AssertionError(e.getMessage() + "\n(page error banner: " + banner + "; browser log: "
                    + driver.manage().logs().get(LogType.BROWSER).getAll() + "; screenshot target/console-failure.png)", e);
        } finally {
            if (driver != null) driver.quit();
            cluster.stop();
        }
    }

    /** Runs one completion and records the text's length at every change the page makes to it. */
    @SuppressWarnings("unchecked")
    static List<Long> streamAndWatch(WebDriver driver) {
        JavascriptExecutor js = (JavascriptExecutor) driver;
        js.executeScript("window.__lengths = [];"
                + "const t = document.getElementById('completion-text');"
                + "new MutationObserver(() => window.__lengths.push(t.textContent.length)).observe(t, {childList: true, characterData: true, subtree: true});");
        driver.findElement(By.id("generate")).click();
        await(() -> !driver.findElement(By.id("completion-state")).getText().equals("streaming"), "the stream ends");
        return new ArrayList<>((List<Long>) js.executeScript("return window.__lengths;"));
    }

    /** Cancel mid-stream: the page says cancelled and no chunk arrives afterwards. Retried: a short answer may end first. */
    static void assertCancelStops(WebDriver driver) throws InterruptedException {
        setValue(driver, "max_tokens", "100");
        for (int attempt = 0; attempt < 3; attempt++) {
            driver.findElement(By.id("generate")).click();
            await(() -> chunks(driver) >= 2 || !state(driver).equals("streaming"), "the first chunks");
            driver.findElement(By.id("cancel")).click();
            await(() -> !state(driver).equals("streaming"), "the stream stops");
            if (state(driver).equals("cancelled")) {
                int after = chunks(driver);
                Thread.sleep(1500);
                assertEquals(after, chunks(driver), "no chunk after the cancel");
                assertTrue(after < 100, "cancelled before the end: " + after);
                return;
            }
        }
        fail("three streams ended before the cancel reached them");
    }

    static String state(WebDriver driver) {
        return driver.findElement(By.id("completion-state")).getText();
    }

    static int chunks(WebDriver driver) {
        return Integer.parseInt(driver.findElement(By.id("completion-chunks")).getText());
    }

    static String statusOf(WebDriver driver, String url) {
        for (WebElement row : driver.findElements(By.cssSelector("#repos tbody tr"))) {
            List<WebElement> cells = row.findElements(By.tagName("td"));
            if (cells.size() > 2 && cells.get(0).getText().equals(url)) return cells.get(2).getText();
        }
        return "absent";
    }

    static void setValue(WebDriver driver, String id, String value) {
        WebElement input = driver.findElement(By.id(id));
        input.clear();
        input.sendKeys(value);
    }

    static void assertNoConsoleErrors(WebDriver driver) {
        List<String> errors = new ArrayList<>();
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) errors.add(entry.getMessage());
        }
        assertEquals(List.of(), errors, "errors in the browser's console");
    }

    static void screenshot(WebDriver driver, String page) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        byte[] png = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve("console-" + page + ".png"), png);
    }

    static void await(Supplier<Boolean> condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.get()) return;
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                // the page re-rendered the table between finding and reading: look again
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        throw new AssertionError("not within 90 s: " + what);
    }

    static void putHostileDeadLetter(WholeClusterRestartTest.Cluster cluster) throws Exception {
        DeadLetters letters = new DeadLetters("console-browser-test", new SchemaRegistryClient(cluster.settings.schemaRegistryUrl()));
        try (var producer = new KafkaProducer<byte[], byte[]>(cluster.settings.producer("console-browser-test"))) {
            producer.send(letters.record(letters.letter("token-ids", 0, 7, null, new byte[] {0},
                    new IllegalArgumentException(HOSTILE_REASON)))).get();
        }
    }

    static void awaitServedModel(String inference) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(inference + "/v1/models"))
                    .header("Authorization", "Bearer " + API_KEY).build(), HttpResponse.BodyHandlers.ofString());
            if (models.statusCode() == 200 && models.body().contains("\"id\"")) return;
            Thread.sleep(1000);
        }
        throw new AssertionError("the inference service served no model within 3 minutes");
    }

    /** A git repository with two Python files of the standard library that the corpus does not have. */
    static Path gitRepository(Path dir) throws Exception {
        Path stdlib = PythonStdlib.path();
        Files.createDirectories(dir);
        for (String file : List.of("wsgiref/handlers.py", "wsgiref/validate.py")) {
            Path to = dir.resolve(file);
            Files.createDirectories(to.getParent());
            Files.copy(stdlib.resolve(file), to);
        }
        git(dir, "init", "-q", "-b", "main");
        git(dir, "add", ".");
        git(dir, "-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "-q", "-m", "two files");
        return dir;
    }

    static void git(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), "git " + String.join(" ", args) + ":\n" + out);
    }

    /** Debian's chromium and its chromedriver, found on the PATH; Selenium Manager is never asked to download one. */
    record Browser(Path chromium, Path chromedriver) {
        static Browser find() {
            Optional<Path> chromium = onPath("chromium").or(() -> onPath("chromium-browser"));
            Optional<Path> driver = onPath("chromedriver");
            if (chromium.isEmpty() || driver.isEmpty()) {
                String message = "the console's browser test needs Chromium and chromedriver on the PATH "
                        + "(Debian: apt-get install chromium chromium-driver); found chromium=" + chromium + ", chromedriver=" + driver;
                if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(message + " — CI must run it (.ci/run installs them)");
                Assumptions.abort(message);
            }
            return new Browser(chromium.get(), driver.get());
        }

        static Optional<Path> onPath(String name) {
            return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                    .map(dir -> Path.of(dir, name)).filter(Files::isExecutable).findFirst();
        }

        WebDriver start() throws Exception {
            ChromeOptions options = new ChromeOptions();
            options.setBinary(chromium.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + Files.createTempDirectory("console-chromium"));
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL);
            options.setCapability("goog:loggingPrefs", logs);
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort().build();
            return new ChromeDriver(service, options);
        }
    }
}
