"""The desk in a real browser (Debian's chromium driven by Playwright), against a server built
from this commit. The tests are grouped by what they guard (test_*.py); each prints its name
and its outcome, and the run fails if any failed. Screenshots go to OUT_DIR; figures measured on
the way (first load, save round trips, Tab presses) are printed at the end.

usage: desk_test.py BASE_URL OUT_DIR ADMIN_PASSWORD PHOTO_WITH_IPTC PHOTO_WITHOUT_CREDIT NARROW_PHOTO AXE_JS [FILTER]
"""

import sys

from playwright.sync_api import sync_playwright

import harness
import test_access
import test_arabic
import test_editing
import test_flows
import test_live
import test_streams
import test_writing

only = sys.argv[8] if len(sys.argv) > 8 else ""

with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=harness.CHROMIUM, args=["--no-sandbox"])
    tests = {}
    for module in (test_flows, test_editing, test_writing, test_arabic, test_access, test_streams, test_live):
        for test in module.TESTS:
            if only and only not in test.__name__:
                continue
            tests[test.__name__.replace("_", " ")] = test
            harness.check(test.__name__.replace("_", " "), lambda test=test: test(browser))
    # A test that failed is run once more on its own. One that passes then is reported as
    # flaky (a race in the desk or in the test, to be fixed, not hidden): the run says so, and
    # a test that fails twice fails the run.
    flaky = []
    for name in list(harness.failures):
        harness.failures.remove(name)
        before = len(harness.failures)
        harness.check(f"{name} (again)", lambda test=tests[name]: tests[name](browser))
        if len(harness.failures) == before:
            flaky.append(name)
        else:
            harness.failures[-1] = name
    browser.close()
    for name in flaky:
        print(f"   FLAKY: '{name}' failed once and passed when run again")

print("== figures")
for what, value in harness.figures.items():
    print(f"   {what}: {value}")
total = sum(len(m.TESTS) for m in (test_flows, test_editing, test_writing, test_arabic, test_access, test_streams))
if harness.failures:
    sys.exit(f"{len(harness.failures)} desk test(s) failed: {harness.failures}")
print(f"desk: all browser tests passed ({total if not only else 'filtered'})")
