#!/usr/bin/env python3
"""A trainer's morning in headless Chromium, at phone width: the end-to-end test of the trainer's pages.

Run by scripts/browser-test.sh (which starts `kelas serve` and makes the sign-in link). Every check waits for the
page it needs (a WebDriverWait: the old page gone after a click, then the element), never for a fixed time. Exit status 0 when every check held.
"""
import argparse
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--link", required=True)
    parser.add_argument("--export", required=True)
    parser.add_argument("--admin-token", required=True)
    parser.add_argument("--participants", required=True, help="a good participants CSV")
    parser.add_argument("--bad-participants", required=True, help="the same with a bad row 14")
    parser.add_argument("--screenshots", action="store_true", help="write docs/trainer-*.png at phone width")
    args = parser.parse_args()

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=390,844", "--lang=id"):
        options.add_argument(flag)
    # The browser asks for Indonesian first, as a trainer's phone does.
    options.add_experimental_option("prefs", {"intl.accept_languages": "id-ID,id,en"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    wait = WebDriverWait(driver, 30)
    checks = 0

    def check(condition, what):
        nonlocal checks
        if not condition:
            print("browser-test: FAILED: " + what, file=sys.stderr)
            print(driver.page_source[:3000], file=sys.stderr)
            driver.quit()
            sys.exit(1)
        checks += 1

    # While a page is being replaced, Chromium may answer any query with an error: such answers mean "not yet".
    navigation = WebDriverWait(driver, 30, ignored_exceptions=(WebDriverException,))

    def submit(element):
        # Click, then wait until the page it leads to has replaced this one and finished loading (a mark set on the
        # old document is gone), so the checks never read the old page by mistake.
        driver.execute_script("window.kelasOldPage = true")
        element.click()
        navigation.until(lambda d: d.execute_script("return window.kelasOldPage === undefined && document.readyState === 'complete'"))

    def heading(text):
        try:
            wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), text))
        except Exception:
            check(False, "a page headed %r (at %s)" % (text, driver.current_url))

    def shot(name):
        # The whole page at phone width: the window is made as tall as the page, then put back.
        if args.screenshots:
            path = os.path.join("docs", name)
            height = min(driver.execute_script("return document.documentElement.scrollHeight"), 4000)
            driver.set_window_size(390, height)
            driver.save_screenshot(path)
            driver.set_window_size(390, 844)
            print("browser-test: wrote " + path)

    try:
        # Sign in with the one-time link: the trainer's day opens, in Indonesian.
        driver.get(args.link)
        heading("Hari ini")
        check(driver.current_url.endswith("/today"), "the link opens /today")
        body = driver.find_element(By.TAG_NAME, "body").text
        check("Masuk sebagai Iva Hasanah" in body, "signed in as the trainer")
        check("Perlu ditelepon" in body and "Yang dikirim hari ini" in body, "the day's sections")
        calls = driver.find_elements(By.CSS_SELECTOR, "a[href^='tel:+62']")
        check(len(calls) > 0, "tap-to-call links with full numbers")
        shot("trainer-today-phone.png")

        # The link works once.
        driver.get(args.link)
        check("sudah dipakai" in driver.find_element(By.TAG_NAME, "body").text, "a used link is refused")
        driver.get(args.base + "/today")
        heading("Hari ini")

        # Mark the first person to call as phoned, with a note; then undo it.
        phoned = driver.find_element(By.CSS_SELECTOR, "form.mark button[value='phoned']")
        form = phoned.find_element(By.XPATH, "./..")
        form.find_element(By.NAME, "note").send_keys("tidak diangkat, coba lagi sore")
        submit(phoned)
        wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "body"), "Ditandai hari ini"))
        check("tidak diangkat, coba lagi sore" in driver.find_element(By.TAG_NAME, "body").text, "the mark and its note are listed")
        shot("trainer-marked-phone.png")
        submit(driver.find_element(By.XPATH, "//form[@action='/today/undo']/button"))
        heading("Hari ini")
        check("Ditandai hari ini" not in driver.find_element(By.TAG_NAME, "body").text, "undo takes the mark back")

        # Upload the day's chat export.
        driver.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(os.path.abspath(args.export))
        submit(driver.find_element(By.XPATH, "//form[@action='/today/upload']/button"))
        wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "body"), "pesan dibaca"))
        check(" baru." in driver.find_element(By.TAG_NAME, "body").text, "the export was read and stored")
        driver.get(args.base + "/today")
        heading("Hari ini")

        # Switch to English: remembered on the next page.
        submit(driver.find_element(By.LINK_TEXT, "English"))
        heading("Today")
        driver.get(args.base + "/today")
        heading("Today")
        check("Who to call" in driver.find_element(By.TAG_NAME, "body").text, "English is remembered")

        # An admin page is not a trainer's.
        driver.get(args.base + "/")
        check("This page is for admins." in driver.find_element(By.TAG_NAME, "body").text, "a trainer cannot open the admin pages")

        # Sign out: the session ends.
        driver.get(args.base + "/today")
        heading("Today")
        submit(driver.find_element(By.XPATH, "//form[@action='/logout']/button"))
        wait.until(EC.url_contains("/login"))
        driver.get(args.base + "/today")
        check(driver.current_url.endswith("/login"), "signed out: /today asks to sign in")

        # An admin schedules a batch from the browser: a bad participant row first, then fixed.
        driver.find_element(By.NAME, "token").send_keys(args.admin_token)
        submit(driver.find_element(By.XPATH, "//form[@action='/login']//button"))
        wait.until(EC.url_to_be(args.base + "/"))
        driver.get(args.base + "/schedule?lang=id")
        heading("Jadwalkan angkatan")

        def fill(participants):
            for name, value in (("name", "Pelatihan Adil Gender — Tuban angkatan 1"), ("id", "tuban-2021-08"), ("programme", "WEE"),
                                ("district", "Tuban"), ("admin", "Rumi, +6281234567003")):
                field = driver.find_element(By.NAME, name)
                field.clear()
                field.send_keys(value)
            # A date input takes the date in the browser's own form; set it as the page would submit it.
            driver.execute_script("document.getElementsByName('start')[0].value = '2021-08-02'")
            trainers = driver.find_element(By.NAME, "trainers")
            trainers.clear()
            trainers.send_keys("Iva Hasanah, +6281234567001\nWinoto, 0812-3456-7002")
            driver.find_element(By.NAME, "participants").send_keys(os.path.abspath(participants))
            submit(driver.find_element(By.XPATH, "//form[@action='/schedule']/button"))

        fill(args.bad_participants)
        wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "body"), "participants.csv:14:"))
        invalid = driver.find_elements(By.CSS_SELECTOR, "label.invalid input[name=participants]")
        check(len(invalid) == 1, "the bad row is shown beside the participants field")
        body = driver.find_element(By.TAG_NAME, "body").text
        check("nomor telepon memuat karakter `A` yang bukan angka (peserta Rahmat Hidayat" in body,
              "the problem and its fix are in the page's language (Indonesian)")
        check(driver.find_element(By.NAME, "district").get_attribute("value") == "Tuban", "the form keeps what was typed")
        shot("schedule-error-phone.png")
        fill(args.participants)
        wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "tuban-2021-08"))
        check("batch.yaml" in driver.find_element(By.TAG_NAME, "body").text, "the written files can be downloaded")
    finally:
        driver.quit()
    print("browser-test: %d checks passed" % checks)


if __name__ == "__main__":
    main()
