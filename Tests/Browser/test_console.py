"""The web console in headless Chromium against a running FaceStream (started by scripts/browser-test).

One story, in order; each step needs the one before, so a failure skips the rest:
 1. sign-in refuses a wrong key in plain words, accepts the admin key;
 2. People: add "Barack Obama", enroll obama.jpg + obama2.jpg through the file input, see each
    face's quality; a file that isn't an image is rejected with a reason in plain words;
 3. Live (/live?api_key=…, the kiosk URL): the fake camera shows obama3.jpg — a photo that was NOT
    enrolled — and within 60 s the drawn names include "Barack Obama";
 4. Sightings: a row for Barack Obama appears, links to his People entry, and the person filter works;
 5. phone width: no page scrolls sideways; every form control has a label;
 6. /docs: Swagger UI loads from the server itself (no other host is asked) and lists the operations;
 7. Unknown faces: Joe Biden (never enrolled) visits over three stream sessions; his group appears
    with sample faces, is named from the page, and becomes a person whose earlier sightings carry the name;
 8. Sightings: every row shows its face; search by a photo of Biden finds his sightings, nearest first;
 9. People: a duplicate of Obama enrolled separately is merged into him from his page.
Every page is also checked for JavaScript errors and CSP violations in the browser console.

Environment: FACESTREAM_URL, FACESTREAM_API_KEY (admin), FAKE_VIDEO (.y4m), FIXTURES_DIR,
SCREENSHOT_DIR; optional CHROMIUM_BIN, CHROMEDRIVER, BROWSER_TEST_HEADED=1.
"""
import base64
import functools
import io
import json
import os
import re
import tempfile
import time
import unittest
from pathlib import Path

import urllib.request

from PIL import Image
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

URL = os.environ["FACESTREAM_URL"].rstrip("/")
KEY = os.environ["FACESTREAM_API_KEY"]
FAKE_VIDEO = os.environ["FAKE_VIDEO"]
FIXTURES = Path(os.environ.get("FIXTURES_DIR", Path(__file__).resolve().parents[1] / "Fixtures"))
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[1] / "screenshots"))

PERSON = "Barack Obama"
ENROLL_PHOTOS = [FIXTURES / "face_recognition" / "obama.jpg", FIXTURES / "face_recognition" / "obama2.jpg"]
RECOGNITION_TIMEOUT = 60
STRANGER = "Joe Biden"
STRANGER_PHOTO = FIXTURES / "face_recognition" / "biden.jpg"
DUPLICATE = "Barack Obama (enrolled twice)"


def rest(method, path, body=None, content_type="application/json"):
    """The API directly, for seeding what the story needs (the admin key)."""
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    request = urllib.request.Request(URL + path, data=data, method=method, headers={"X-API-Key": KEY})
    if data is not None:
        request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request, timeout=60) as response:
        text = response.read()
        return json.loads(text) if text else None


def frame_of(photo, size=(640, 480)):
    """A camera-sized JPEG frame with the photo scaled into it."""
    picture = Image.open(photo).convert("RGB")
    picture.thumbnail(size)
    frame = Image.new("RGB", size, (40, 40, 40))
    frame.paste(picture, ((size[0] - picture.width) // 2, (size[1] - picture.height) // 2))
    out = io.BytesIO()
    frame.save(out, "JPEG", quality=90)
    return out.getvalue()


def visit(session_id, jpeg, frames=12, fps=4):
    """One stream session showing the same face; returns the answers' types."""
    from websockets.sync.client import connect
    ws_url = URL.replace("http", "ws", 1) + f"/ws/recognize?session_id={session_id}&api_key={KEY}"
    data = base64.b64encode(jpeg).decode()
    types = []
    with connect(ws_url, max_size=2 ** 22) as socket:
        json.loads(socket.recv(timeout=10))  # the session message
        for index in range(frames):
            socket.send(json.dumps({"type": "frame", "frame_id": index, "data": data}))
            types.append(json.loads(socket.recv(timeout=30)).get("type"))
            time.sleep(1 / fps)
    return types


def make_driver():
    options = Options()
    options.binary_location = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    if os.environ.get("BROWSER_TEST_HEADED") != "1":
        options.add_argument("--headless=new")
    for flag in (
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox can't start
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",  # grants the camera without a prompt
        f"--use-file-for-fake-video-capture={FAKE_VIDEO}",
        "--autoplay-policy=no-user-gesture-required",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(options=options, service=service)


def step(method):
    """Runs a step unless an earlier one failed; on failure saves a screenshot of where it stopped."""
    @functools.wraps(method)
    def run(self):
        if type(self).broken:
            self.skipTest(f"skipped: {type(self).broken} failed")
        try:
            method(self)
        except BaseException:
            type(self).broken = method.__name__
            self.screenshot(f"failure-{method.__name__}")
            raise
    return run


class ConsoleTest(unittest.TestCase):
    broken = None
    user_id = None
    screenshots = []

    @classmethod
    def setUpClass(cls):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for old in SCREENSHOTS.glob("*.png"):  # only this run's pictures, so none can mislead
            old.unlink()
        cls.driver = make_driver()
        cls.driver.set_window_size(1280, 900)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        if cls.screenshots:
            print("\nscreenshots:")
            for path in cls.screenshots:
                print(f"  {path}")

    # --- helpers ---------------------------------------------------------------------------------

    @property
    def d(self):
        return self.driver

    def wait(self, timeout=15):
        return WebDriverWait(self.d, timeout, poll_frequency=0.2)

    def find(self, css):
        return self.d.find_element(By.CSS_SELECTOR, css)

    def visible(self, css, timeout=15):
        return self.wait(timeout).until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)))

    def text_present(self, css, timeout=15):
        """Waits until the element has some text; returns it."""
        self.wait(timeout).until(lambda d: d.find_element(By.CSS_SELECTOR, css).text.strip())
        return self.find(css).text.strip()

    def open(self, path):
        self.d.get(URL + path)
        self.wait().until(lambda d: d.execute_script("return document.readyState") == "complete")

    def screenshot(self, name):
        """The whole page, not just the window, so results below the fold are in the picture."""
        path = SCREENSHOTS / f"{name}.png"
        try:
            size = self.d.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
            shot = self.d.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
            })
            path.write_bytes(base64.b64decode(shot["data"]))
            type(self).screenshots.append(path)
        except Exception as error:  # a dead browser must not hide the original failure
            print(f"could not save {path}: {error}")

    def log_loaded(self):
        """Waits until the sightings table isn't being reloaded (sightings.js sets aria-busy meanwhile)."""
        self.wait(30).until(lambda d: d.find_element(By.ID, "log-table").get_attribute("aria-busy") is None)

    def assert_console_clean(self):
        """No script errors or CSP violations so far. HTTP error statuses the test provokes on
        purpose (the wrong key, the rejected upload) show up as 'Failed to load resource': allowed."""
        problems = [
            entry["message"] for entry in self.d.get_log("browser")
            if entry["level"] == "SEVERE" and "Failed to load resource" not in entry["message"]
        ]
        self.assertEqual(problems, [], "errors in the browser console")

    def assert_labelled(self):
        """Every visible form control has a label a screen reader can read."""
        unlabelled = self.d.execute_script("""
            return [...document.querySelectorAll('input, select, textarea')]
              .filter(e => e.type !== 'hidden' && !e.closest('[hidden]'))
              .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
              .map(e => e.id || e.name || e.outerHTML.slice(0, 60));
        """)
        self.assertEqual(unlabelled, [], "form controls without a label")

    def assert_no_sideways_scroll(self):
        overflow = self.d.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        self.assertLessEqual(overflow, 1, f"{self.d.current_url} scrolls sideways by {overflow}px")

    # --- the story ---------------------------------------------------------------------------------

    @step
    def test_1_sign_in(self):
        self.open("/")
        field = self.visible("#api-key")
        field.send_keys("not-the-key-" + "x" * 20)
        self.find("#signin-button").click()
        error = self.text_present("#signin-error")
        self.assertIn("not accepted", error)

        field.clear()
        field.send_keys(KEY)
        self.find("#signin-button").click()
        self.visible("#home")
        self.assertTrue(self.find("#signin").get_attribute("hidden") is not None)
        self.assertEqual(self.d.execute_script("return sessionStorage.getItem('facestream.apiKey')"), KEY)
        self.assert_labelled()
        self.screenshot("index")
        self.assert_console_clean()

    @step
    def test_2_people_create_and_enroll(self):
        self.open("/people")
        self.text_present("#page-info")  # the list loaded

        self.find("#create-name").send_keys(PERSON)
        self.find("#create-email").send_keys("barack@example.org")
        self.find("#create-button").click()
        self.wait().until(lambda d: d.find_element(By.ID, "person-title").text == PERSON)
        match = re.search(r"#user-(\d+)$", self.d.current_url)
        self.assertIsNotNone(match, f"the address should name the person: {self.d.current_url}")
        type(self).user_id = int(match.group(1))

        # Two photos at once through the file input, as a person picking several files would.
        for photo in ENROLL_PHOTOS:
            self.assertTrue(photo.is_file(), f"missing fixture {photo}")
        self.find("#enroll-files").send_keys("\n".join(str(p.resolve()) for p in ENROLL_PHOTOS))
        self.find("#enroll-upload").click()
        self.wait(120).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#enroll-results li")) >= 2)
        created = self.d.find_elements(By.CSS_SELECTOR, "#enroll-results li.ok")
        rejected = [li.text for li in self.d.find_elements(By.CSS_SELECTOR, "#enroll-results li.rejected")]
        self.assertEqual(rejected, [], "both enrollment photos should be accepted")
        self.assertEqual(len(created), 2)
        for item, photo in zip(created, ENROLL_PHOTOS):
            self.assertIn(photo.name, item.text)
            self.assertRegex(item.text, r"quality \d{1,3}% \((good|fair|poor)\)")
        self.assertIn("2 of 2 photos enrolled", self.find("#enroll-message").text)
        self.wait().until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#face-list li")) == 2)
        self.wait().until(lambda d: d.find_element(By.CSS_SELECTOR, f"#row-{self.user_id} td.num").text == "2")
        self.screenshot("people")

        # Something that isn't a photo: rejected, with the reason in words, and nothing stored.
        with tempfile.TemporaryDirectory() as tmp:
            bogus = Path(tmp) / "not-a-photo.jpg"
            bogus.write_text("this is text, not a JPEG\n")
            self.find("#enroll-files").send_keys(str(bogus))
            self.find("#enroll-upload").click()
            item = self.visible("#enroll-results li.rejected", timeout=60)
        self.assertIn("not-a-photo.jpg", item.text)
        self.assertIn("not enrolled", item.text)
        self.assertIn("0 of 1 photo enrolled", self.find("#enroll-message").text)
        self.assertEqual(len(self.d.find_elements(By.CSS_SELECTOR, "#face-list li")), 2)
        self.assert_labelled()
        self.assert_console_clean()

    @step
    def test_3_live_recognises_unenrolled_photo(self):
        # The kiosk URL: the key comes in the query and must leave the address bar.
        self.open(f"/live?api_key={KEY}")
        self.assertNotIn("api_key", self.d.current_url)
        names = []

        def recognised(driver):
            nonlocal names
            raw = driver.find_element(By.ID, "faces").get_attribute("data-names") or "[]"
            names = json.loads(raw)
            return PERSON in names

        try:
            self.wait(RECOGNITION_TIMEOUT).until(recognised)
        except TimeoutException:
            self.fail(f"no {PERSON} within {RECOGNITION_TIMEOUT}s; last names {names}, "
                      f"status {self.find('#status').text!r}, error {self.find('#live-error').text!r}")
        self.assertEqual(self.find("#status").get_attribute("data-state"), "live")
        self.assertIn(PERSON, self.find("#faces").text)
        self.assertRegex(self.find("#latency").text, r"^\d+ ms$")
        self.wait(10).until(lambda d: re.fullmatch(r"\d+\.\d", d.find_element(By.ID, "fps").text)
                            and float(d.find_element(By.ID, "fps").text) > 0)
        # The box and its label are really painted over the video.
        painted = self.d.execute_script("""
            const c = document.getElementById('overlay');
            if (!c.width || !c.height) return 0;
            const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 3; i < px.length; i += 4) if (px[i]) n++;
            return n;
        """)
        self.assertGreater(painted, 100, "no box drawn over the video")
        self.screenshot("live")
        self.assert_console_clean()

    @step
    def test_4_sightings_show_the_person(self):
        self.open("/sightings")
        sighting = None
        deadline = time.time() + 30
        while time.time() < deadline:  # the log writer batches inserts: give it a moment
            self.log_loaded()
            sighting = self.d.execute_script(
                "return [...document.querySelectorAll('#log-rows td.person a')]"
                ".map(a => [a.textContent, a.getAttribute('href')]).find(([name]) => name === arguments[0]) || null",
                PERSON)
            if sighting:
                break
            time.sleep(1)
            self.find("#refresh").click()
        self.assertIsNotNone(sighting, f"no sighting of {PERSON} in the log")
        self.assertEqual(sighting[1], f"/people#user-{self.user_id}")

        # The person filter (its options come from the People list).
        self.wait().until(lambda d: any(o.text == PERSON for o in Select(d.find_element(By.ID, "filter-person")).options))
        Select(self.find("#filter-person")).select_by_visible_text(PERSON)
        self.find("#filters button[type=submit]").click()
        self.wait().until(lambda d: f"user_id={self.user_id}" in d.current_url)
        self.log_loaded()
        people = {td.text for td in self.d.find_elements(By.CSS_SELECTOR, "#log-rows td.person")}
        self.assertEqual(people, {PERSON})
        self.assertRegex(self.find("#page-info").text, r"Page 1 of \d+ · \d+ sightings?")
        self.assert_labelled()
        self.screenshot("sightings")
        self.assert_console_clean()

        # The name leads to the person's People entry.
        self.find("#log-rows td.person a").click()
        self.wait().until(lambda d: d.find_element(By.ID, "person-title").text == PERSON)
        self.assert_console_clean()

    @step
    def test_5_phone_width(self):
        self.d.set_window_size(390, 844)
        try:
            for path, ready in (("/", "#home"), (f"/people#user-{self.user_id}", "#person"),
                                ("/sightings", "#log-rows tr"), ("/live", "#status"), ("/unknowns", "#clusters-title")):
                self.open(path)
                self.visible(ready)
                time.sleep(0.3)  # let the list render before measuring
                self.assert_no_sideways_scroll()
                if path.startswith("/people"):
                    self.screenshot("people-phone")
            self.assert_console_clean()
        finally:
            self.d.set_window_size(1280, 900)

    @step
    def test_6_docs_work_offline(self):
        self.open("/docs")
        self.wait(30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock")) >= 30)
        operations = self.d.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")
        paths = {(element.get_attribute("data-path") or element.text).replace("\u200b", "") for element in operations}
        self.assertIn("/api/recognize", paths)
        self.assertIn("/api/v1/recognition/recognize", paths)
        resources = self.d.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        self.assertEqual([r for r in resources if not r.startswith(URL)], [], "/docs must not load anything from another host")
        self.screenshot("docs")
        self.assert_console_clean()

    @step
    def test_7_unknown_faces_named(self):
        frame = frame_of(STRANGER_PHOTO)
        for visit_number in range(3):
            types = visit(f"door-{visit_number}", frame)
            self.assertGreaterEqual(types.count("recognition_result"), 6, types)
        group = None
        deadline = time.time() + 30
        while time.time() < deadline and group is None:  # the log writer batches; clustering follows it
            time.sleep(1)
            groups = rest("GET", "/api/unknowns").get("items", [])
            group = next((g for g in groups if g["size"] >= 3), None)
        self.assertIsNotNone(group, "no group of Biden's three visits in /api/unknowns")
        self.open("/unknowns")
        card = self.visible(f"#cluster-{group['id']}")
        self.wait().until(lambda d: d.execute_script(
            "return [...arguments[0].querySelectorAll('img.face-thumb')].some(i => i.complete && i.naturalWidth > 0)", card))
        self.assert_labelled()
        self.screenshot("unknowns")
        card.find_element(By.CSS_SELECTOR, ".name-form input").send_keys(STRANGER)
        card.find_element(By.CSS_SELECTOR, ".name-form button[type=submit]").click()
        self.wait(30).until(lambda d: STRANGER in d.find_element(By.ID, "clusters-message").text)
        self.assertIn("ok", self.find("#clusters-message").get_attribute("class"))
        people = rest("GET", "/api/users?q=Biden")["items"]
        self.assertEqual([p["name"] for p in people], [STRANGER])
        self.assertGreaterEqual(people[0]["face_count"], 1)
        earlier = rest("GET", f"/api/logs?user_id={people[0]['id']}")
        self.assertGreaterEqual(earlier["total"], 3, "his earlier sightings should carry his id now")
        self.assert_console_clean()

    @step
    def test_8_search_by_photo(self):
        self.open("/sightings")
        self.log_loaded()
        self.wait().until(lambda d: d.execute_script(
            "return [...document.querySelectorAll('#log-rows img.face-thumb')].some(i => i.complete && i.naturalWidth > 0)"))
        self.find("#search-file").send_keys(str(STRANGER_PHOTO))
        self.find("#search-button").click()
        self.wait(30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#search-rows tr"))
        names = [td.text for td in self.d.find_elements(By.CSS_SELECTOR, "#search-rows td.person")]
        distances = [float(td.text) for td in self.d.find_elements(By.CSS_SELECTOR, "#search-rows td.num")]
        self.assertGreaterEqual(len(names), 3)
        self.assertEqual(set(names), {STRANGER})
        self.assertEqual(distances, sorted(distances))
        self.assertLess(max(distances), 0.6)
        self.screenshot("sightings-search")
        self.assert_console_clean()

    @step
    def test_9_merge_duplicate(self):
        duplicate = rest("POST", "/api/users", {"name": DUPLICATE})
        photo = base64.b64encode((FIXTURES / "face_recognition" / "obama3.jpg").read_bytes()).decode()
        rest("POST", f"/api/users/{duplicate['id']}/faces", {"images": [photo]})
        before = rest("GET", f"/api/users/{self.user_id}")["face_count"]
        self.open(f"/people#user-{self.user_id}")
        self.wait().until(lambda d: any(o.get_attribute("value") == str(duplicate["id"])
                                        for o in Select(d.find_element(By.ID, "merge-from")).options))
        Select(self.find("#merge-from")).select_by_value(str(duplicate["id"]))
        self.find("#merge-button").click()
        self.visible("#confirm-dialog")
        self.find("#confirm-button").click()
        self.wait(30).until(lambda d: "Merged" in d.find_element(By.ID, "person-message").text)
        self.assertEqual(rest("GET", f"/api/users/{self.user_id}")["face_count"], before + 1)
        self.assertEqual(rest("GET", "/api/users?q=enrolled%20twice")["total"], 0)
        self.screenshot("people-merged")
        self.assert_console_clean()


if __name__ == "__main__":
    unittest.main()
