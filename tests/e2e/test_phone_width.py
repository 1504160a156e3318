"""At a phone's width (390 px, an iPhone 12 to 15), in headless Chromium: no main page
scrolls sideways, for any demo role, in either language; the header's navigation folds
into a menu that opens from the keyboard; its links and buttons are big enough to touch."""

import os

import pytest

from tables.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoSeeder
from tests.e2e.conftest import ConsoleWatch, sign_in
from tests.pages import DEMO_ROLES, main_pages, seed_whole_demo

pytestmark = [pytest.mark.needs_chromium, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
# WCAG 2.2 success criterion 2.5.5 (Target Size, enhanced) and Apple's Human Interface
# Guidelines both ask for 44 by 44 CSS pixels.
TOUCH_TARGET = 44
# To check a few pages while working on them: PHONE_PAGES="meeting,minutes".
ONLY = {name.strip() for name in os.environ.get("PHONE_PAGES", "").split(",") if name.strip()}

# The page's width, and the elements that stick out past the viewport's right edge where
# their parent does not (where the overflow starts), leaving out those inside a box that
# scrolls or clips sideways by itself: a wide table in its scrolling box is fine. A box
# clips only the elements it contains in the CSS sense: an absolutely positioned label
# escapes a scrolling box that is not positioned, and widens the page.
OVERFLOW = """(viewport) => {
  const clipsSideways = (element) => {
    let position = getComputedStyle(element).position;
    if (position === "fixed") return true;
    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (position === "absolute" && style.position === "static") continue;
      if (["auto", "scroll", "hidden", "clip"].includes(style.overflowX)) return true;
      position = style.position;
    }
    return false;
  };
  const sticksOut = (element) => element.getBoundingClientRect().right > viewport + 1;
  const describe = (element) => {
    let name = element.tagName.toLowerCase();
    if (element.id) name += "#" + element.id;
    if (element.classList.length) name += "." + [...element.classList].join(".");
    const text = (element.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    return `${name} (right ${Math.round(element.getBoundingClientRect().right)} px) «${text}»`;
  };
  const offenders = [...document.body.querySelectorAll("*")]
    .filter((element) => sticksOut(element) && !clipsSideways(element))
    .filter((element) => !element.parentElement || !sticksOut(element.parentElement))
    .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right);
  // A box that scrolls must be reachable from the keyboard, to scroll it without a mouse.
  const unreachable = [...document.querySelectorAll("main *")]
    .filter((box) => ["auto", "scroll"].includes(getComputedStyle(box).overflowX))
    .filter((box) => box.scrollWidth > box.clientWidth + 1 && box.tabIndex < 0)
    .filter((box) => !box.querySelector("a[href], button, input, select, textarea, [tabindex]"));
  return {
    width: document.documentElement.scrollWidth,
    offenders: offenders.slice(0, 4).map(describe),
    unreachable: unreachable.map(describe),
  };
}"""


def phone_page(browser, base, language, role):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.add_cookies([{"name": "concertation_language", "value": language, "url": base}])
    page = context.new_page()
    if role != "anonymous":
        sign_in(page, base, DEMO_ACCOUNTS[role][0], DEMO_PASSWORD)
    return context, page


def test_no_main_page_scrolls_sideways_on_a_phone(live_server, browser):
    seed_whole_demo()
    base = live_server.url
    problems = []
    checked = 0
    for language in ("fr-ca", "en"):
        for role in DEMO_ROLES:
            context, page = phone_page(browser, base, language, role)
            for name, url in main_pages(role):
                if ONLY and name not in ONLY:
                    continue
                page.goto(base + url)
                checked += 1
                result = page.evaluate(OVERFLOW, PHONE["width"])
                where = f"{language} {role} {name} ({url})"
                if result["width"] > PHONE["width"] + 1:
                    problems.append(f"{where}: {result['width']} px wide; " + "; ".join(result["offenders"]))
                problems += [
                    f"{where}: a scrolling box the keyboard cannot reach: {box}"
                    for box in result["unreachable"]
                ]
            context.close()
    assert checked > 0, "no page visited: check PHONE_PAGES"
    assert problems == [], f"{len(problems)} problems on {checked} pages at 390 px:\n" + "\n".join(
        problems[:60]
    )


def test_phone_menu_is_folded_and_opens_from_the_keyboard(live_server, browser):
    DemoSeeder().seed_main()
    base = live_server.url
    context, page = phone_page(browser, base, "en", "coordinator")
    console = ConsoleWatch(page)
    page.goto(base + "/")
    links = page.locator(".site-header .nav-links a")
    toggle = page.locator(".site-header .site-menu > summary")
    assert links.count() > 3
    assert toggle.is_visible()
    assert not any(links.nth(i).is_visible() for i in range(links.count())), "the menu is open on arrival"

    # when: the visitor tabs to the menu button and presses Enter
    on_toggle = "document.activeElement.matches('.site-menu > summary')"
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate(on_toggle):
            break
    assert page.evaluate(on_toggle), "Tab never reached the menu button"
    page.keyboard.press("Enter")

    # then: every link shows, with the language switch and the account menu
    assert all(links.nth(i).is_visible() for i in range(links.count()))
    assert page.get_by_role("button", name="Français").is_visible()
    assert page.locator(".site-header details.dropdown > summary").is_visible()
    assert console.errors == []
    context.close()


def test_wide_screen_shows_the_navigation_without_a_menu_button(live_server, browser):
    DemoSeeder().seed_main()
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sign_in(page, base, DEMO_ACCOUNTS["coordinator"][0], DEMO_PASSWORD)
    links = page.locator(".site-header .nav-links a")
    assert links.count() > 3
    assert all(links.nth(i).is_visible() for i in range(links.count()))
    assert not page.locator(".site-header .site-menu > summary").is_visible()
    # One row: the links sit beside the brand, not below it.
    assert abs(links.first.bounding_box()["y"] - page.locator(".site-header .brand").bounding_box()["y"]) < 20
    context.close()


def test_header_touch_targets_are_44_px_high_on_a_phone(live_server, browser):
    DemoSeeder().seed_main()
    base = live_server.url
    context, page = phone_page(browser, base, "fr-ca", "coordinator")
    page.goto(base + "/")
    page.locator(".site-header .site-menu > summary").click()
    page.locator(".site-header details.dropdown > summary").click()
    targets = page.locator(".site-header :is(a, button, summary)")
    sizes = []
    for i in range(targets.count()):
        target = targets.nth(i)
        if target.is_visible():
            box = target.bounding_box()
            sizes.append((target.inner_text().strip(), box["width"], box["height"]))
    assert len(sizes) > 8, sizes
    small = [size for size in sizes if size[1] < TOUCH_TARGET or size[2] < TOUCH_TARGET]
    assert small == [], f"header targets under {TOUCH_TARGET} by {TOUCH_TARGET} px: {small}"
    context.close()
