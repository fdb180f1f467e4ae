"""`accounts serve` in a real browser: Debian's headless Chromium driven by Selenium (run by
ServeCLITests.swift). A person opens the link from the mail in the outbox, sees the confirm page,
clicks the button, sees the result, in Korean and in English (Chromium's --lang), with
JavaScript switched off. Screenshots go to SCREENSHOT_DIR (docs/images holds copies).
"""
import os
import shutil
import sys
import unittest

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, os.path.dirname(__file__))
from serving import Site, free_port  # noqa: E402

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR") or os.path.join(os.path.dirname(__file__), "..", "..", ".build", "screenshots")
WORDS = {
    "ko": {"confirm": "계정 활성화", "button": "활성화", "done": "메일 인증이 완료 되었습니다"},
    "en": {"confirm": "Activate your account", "button": "Activate", "done": "Your email address is confirmed"},
}


def browser(language):
    chromium = shutil.which("chromium")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        raise unittest.SkipTest("SKIPPED LOUDLY: Debian's chromium and chromium-driver are not installed (make deps installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=720,560", f"--lang={language}", "--hide-scrollbars"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {
        "intl.accept_languages": language,
        # The pages must work without JavaScript (they carry none; CSP forbids it anyway).
        "profile.managed_default_content_settings.javascript": 2,
    })
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


class Browser(unittest.TestCase):
    def setUp(self):
        os.makedirs(SCREENSHOTS, exist_ok=True)
        self.port = free_port()
        # The link in the mail points at this server, as ACTIVATION_URL would in production.
        self.site = Site(ACTIVATION_URL=f"http://127.0.0.1:{self.port}/users/activate/{{uid}}/{{token}}/")
        self.server = self.site.serve(port=self.port)

    def tearDown(self):
        self.site.close()

    def test_korean(self):
        self.click_through("ko")

    def test_english(self):
        self.click_through("en")

    def click_through(self, language):
        words = WORDS[language]
        user = {"ko": "hong", "en": "alice"}[language]
        before = set(self.site.outbox())
        self.site.register(user, f"{user}@example.com")
        link = self.site.mail_link((set(self.site.outbox()) - before).pop())
        driver = browser(language)
        try:
            driver.get(link)
            self.assertEqual(driver.find_element(By.TAG_NAME, "h1").text, words["confirm"])
            self.assertIn(user, driver.find_element(By.TAG_NAME, "p").text)
            button = driver.find_element(By.CSS_SELECTOR, "form button")
            self.assertEqual(button.text, words["button"])
            # The inline stylesheet ran: the CSP hash matches it.
            self.assertEqual(button.value_of_css_property("background-color"), "rgba(36, 88, 211, 1)")
            driver.save_screenshot(os.path.join(SCREENSHOTS, f"confirm-{language}.png"))
            self.assertEqual(self.site.show(user)["state"], "pending", "the GET changed nothing")
            button.click()
            WebDriverWait(driver, 10).until(expected_conditions.text_to_be_present_in_element((By.TAG_NAME, "p"), words["done"]))
            self.assertEqual(driver.current_url.split("?")[0], f"http://127.0.0.1:{self.port}/users/activate/")
            driver.save_screenshot(os.path.join(SCREENSHOTS, f"activated-{language}.png"))
            self.assertEqual(self.site.show(user)["state"], "active")
            self.assertEqual(len(self.site.audit(user, "activate")), 1)
            # The page did not break its own policy (a violation is logged as a console error).
            violations = [entry for entry in driver.get_log("browser") if "Content Security Policy" in entry["message"]]
            self.assertEqual(violations, [])
            # Back and reload: the browser must not post again by itself, and a used link says so.
            driver.get(link)
            self.assertEqual(len(driver.find_elements(By.CSS_SELECTOR, "form")), 0)
        finally:
            driver.quit()
        posted = [line for line in self.server.access_log() if line["method"] == "POST"]
        self.assertEqual([line["outcome"] for line in posted], ["activated"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
