package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.BrokerExtension.Dedicated;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Paho3;
import io.switchboard.itest.mqtt.support.Transport;

/**
 * The web console (bundles/io.switchboard.console) in a real headless Chromium, driven by Selenium through
 * Debian's chromedriver: the page shows the distribution's chains (auth, profanity; audit on decisions), its counters move with
 * real MQTT traffic, the subscriber's session is found by a search, a trace shows each module's decision (the
 * profanity filter replaces a rude word), a module is disabled and enabled again, and a configuration the module
 * rejects shows its problem. A screenshot is saved to {@code target/console.png}. Its own broker: it switches modules
 * and changes a configuration.
 */
@ExtendWith(BrokerExtension.class)
@Dedicated
class ConsoleIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String PROFANITY = "profanity:default";
    private static final int MESSAGES = 5;

    private WebDriver driver;

    @BeforeEach
    void startBrowser() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "ConsoleIT needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
                        + "): apt-get install chromium chromium-driver");
        // both paths explicit, so that Selenium Manager never looks for (or downloads) a browser or a driver
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,2600");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
    }

    @AfterEach
    void stopBrowser() {
        if (driver != null) {
            driver.quit();
        }
    }

    @Test
    void showsTheChainTracesAndSwitchesModules(Broker broker) throws Exception {
        driver.get(broker.httpUri("/").toString());

        // the chain with the distribution's modules
        for (String module : List.of("auth", "audit", PROFANITY)) {
            awaitText(broker, "#modules tr[data-module='" + module + "'] td.state span", "ACTIVE"::equals);
        }
        awaitText(broker, "#chains div[data-event='MESSAGE']", text -> text.contains(PROFANITY) && text.contains("auth"));
        // the shipped audit log records decisions, so the module is called for those only
        awaitText(broker, "#chains div[data-event='DECISION']", text -> text.contains("audit"));
        long published = number(text("#stat-published"));
        long profanityCalls = number(text("#modules tr[data-module='" + PROFANITY + "'] td.calls"));

        // real traffic moves the counters; the subscriber's session is found by a search
        String topic = Names.topic("console");
        String subscriberId = Names.clientId("console-sub");
        try (Paho3 subscriber = Paho3.connect(broker, Transport.TCP, subscriberId);
                Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("console-pub"))) {
            subscriber.subscribe(topic, 1);
            for (int i = 0; i < MESSAGES; i++) {
                publisher.publish(topic, "reading " + i, 1, false);
            }
            assertThat(subscriber.inbox().next(MESSAGES)).hasSize(MESSAGES);
            awaitText(broker, "#stat-published", t -> number(t) >= published + MESSAGES);
            awaitText(broker, "#modules tr[data-module='" + PROFANITY + "'] td.calls", t -> number(t) >= profanityCalls + MESSAGES);

            WebElement search = driver.findElement(By.id("session-search"));
            search.clear();
            search.sendKeys(subscriberId);
            awaitText(broker, "#sessions tr[data-client='" + subscriberId + "'] td.subscriptions", t -> t.contains(topic + " (QoS 1)"));
            awaitText(broker, "#sessions tr[data-client='" + subscriberId + "'] td.online", "online"::equals);
        }

        // a trace shows each module's decision: the profanity filter masks the rude word
        WebElement payload = driver.findElement(By.id("trace-payload"));
        payload.clear();
        payload.sendKeys("what the darn");
        driver.findElement(By.id("trace-run")).click();
        awaitText(broker, "#trace-result tr[data-module='" + PROFANITY + "'] td.decision", "replace"::equals);
        assertThat(text("#trace-result tr[data-module='" + PROFANITY + "'] td.payload")).isEqualTo("what the ****");
        assertThat(text("#trace-result tr[data-module='auth'] td.decision")).startsWith("pass");
        assertThat(text("#trace-outcome")).contains("what the ****");

        // disable a module, see it DISABLED, enable it again
        String toggle = "#modules tr[data-module='" + PROFANITY + "'] button.toggle";
        awaitText(broker, toggle, "Disable"::equals);
        click(toggle);
        awaitText(broker, "#modules tr[data-module='" + PROFANITY + "'] td.state span", "DISABLED"::equals);
        awaitText(broker, toggle, "Enable"::equals);
        click(toggle);
        awaitText(broker, "#modules tr[data-module='" + PROFANITY + "'] td.state span", "ACTIVE"::equals);

        // its configuration as a form; a value the module rejects shows its problem, a good one clears it
        String form = "#config-forms form[data-module='" + PROFANITY + "']";
        awaitText(broker, form + " textarea[data-attribute='words']", t -> true);
        assertThat(driver.findElement(By.cssSelector(form + " textarea[data-attribute='words']")).getAttribute("value"))
                .contains("darn");
        saveMask(broker, form, "##");
        awaitText(broker, form + " .form-state", t -> t.contains("configuration rejected") && t.contains("mask"));
        saveMask(broker, form, "#");
        awaitText(broker, form + " .form-state", "ACTIVE"::equals);
        WebElement payloadAgain = driver.findElement(By.id("trace-payload"));
        payloadAgain.clear();
        payloadAgain.sendKeys("darn it");
        driver.findElement(By.id("trace-run")).click();
        awaitText(broker, "#trace-result tr[data-module='" + PROFANITY + "'] td.payload", "#### it"::equals);

        screenshot(Path.of("target", "console.png"));
    }

    private void saveMask(Broker broker, String form, String mask) {
        WebElement input = driver.findElement(By.cssSelector(form + " input[data-attribute='mask']"));
        input.clear();
        input.sendKeys(mask);
        driver.findElement(By.cssSelector(form + " button[type='submit']")).click();
        awaitText(broker, form + " .form-message", t -> t.startsWith("saved"));
    }

    private String text(String css) {
        return driver.findElement(By.cssSelector(css)).getText().trim();
    }

    private static long number(String text) {
        return text.isBlank() ? -1 : Long.parseLong(text.trim());
    }

    /** Waits (up to {@link #WAIT}) until the element's text satisfies {@code done}; the page refreshes on its own. */
    private void awaitText(Broker broker, String css, Predicate<String> done) {
        Function<WebDriver, Boolean> condition = d -> done.test(d.findElement(By.cssSelector(css)).getText().trim());
        new WebDriverWait(driver, WAIT, Duration.ofMillis(200))
                .ignoring(NoSuchElementException.class)
                .ignoring(StaleElementReferenceException.class)
                .ignoring(NumberFormatException.class)
                .withMessage(() -> "'" + css + "' did not reach the expected text; now: " + describe(css)
                        + "; page status: " + describe("#status") + broker.diagnostics())
                .until(condition);
    }

    private void click(String css) {
        new WebDriverWait(driver, WAIT, Duration.ofMillis(200)).ignoring(StaleElementReferenceException.class)
                .ignoring(NoSuchElementException.class).until(d -> {
                    d.findElement(By.cssSelector(css)).click();
                    return true;
                });
    }

    private String describe(String css) {
        try {
            return "'" + driver.findElement(By.cssSelector(css)).getText() + "'";
        } catch (RuntimeException e) {
            return "(" + e.getClass().getSimpleName() + ")";
        }
    }

    private void screenshot(Path target) throws IOException {
        ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0)");
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }
}
