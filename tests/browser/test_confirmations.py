"""On a phone, with JavaScript: a photo chosen in the proposal form survives the form coming back with
an error; withdrawing a support is one tap plus the browser's confirmation (dismissing it changes
nothing). Real chromium, axe checks."""

import io
import re

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.matters import services
from app.matters.models import MicroMatter, Support

from .helpers import assert_accessible, screenshot, seed_community, seed_matter, sign_in


def png(tmp_path):
    path = tmp_path / "steps.png"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 120, 120)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_photo_kept_across_an_error(live_server, live_app, phone, tmp_path):
    with live_app.app_context():
        seed_community([("wangayi", "王阿姨", "resident")])
    sign_in(phone, live_server, "wangayi")
    phone.goto(f"{live_server.url}/c/xinglin/matters/new")
    phone.get_by_label("说明", exact=True).fill("单元门口台阶太高。")
    phone.get_by_label("地点", exact=True).fill("3栋门口")
    phone.get_by_label("预计费用（元）", exact=True).fill("8000")
    phone.locator("input[type=file][name=photos]").set_input_files(str(png(tmp_path)))
    phone.locator("input[type=submit][name=save]").click()  # no title: the form comes back
    phone.wait_for_load_state()
    assert phone.locator(".photos-edit img").count() == 1
    assert phone.locator(".photos-edit img").evaluate("img => img.naturalWidth") == 64  # its owner sees it
    screenshot(phone, "proposal-photo-kept")
    assert_accessible(phone, "proposal form with a kept photo")
    phone.get_by_label("标题", exact=True).fill("3栋门口加装坡道")
    phone.locator("input[type=submit][name=save]").click()
    phone.wait_for_url(re.compile(r"/matters/\d+$"))
    assert phone.locator(".photos img").count() == 1
    with live_app.app_context():
        matter = db.session.scalars(select(MicroMatter)).one()
        assert len(matter.photos) == 1


def test_withdrawing_a_support_is_one_confirmed_tap(live_server, live_app, phone):
    with live_app.app_context():
        community, users = seed_community([("wangayi", "王阿姨", "resident"), ("lishu", "李叔", "resident")])
        matter = seed_matter(community, users["wangayi"], "5栋门口加装无障碍坡道", 12_000, status="collecting")
        services.support(users["lishu"], matter)
        matter_id = matter.id

    def supports():
        with live_app.app_context():
            return db.session.scalar(select(func.count(Support.id)))

    sign_in(phone, live_server, "lishu")
    phone.goto(f"{live_server.url}/c/xinglin/matters/{matter_id}")
    phone.locator("details.danger-zone summary").click()
    expect(phone.locator("input[name=unsupport-understood]")).not_to_be_visible()  # the dialog asks instead
    consequence = phone.locator("details.danger-zone .consequence")
    expect(consequence).to_be_visible()
    assert_accessible(phone, "matter page with the withdrawal open")
    dialogs = []
    phone.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    phone.locator("details.danger-zone [type=submit]").click()
    phone.wait_for_timeout(300)
    assert dialogs == [consequence.inner_text()] and supports() == 1  # it says what happens; dismissed: nothing sent
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.locator("details.danger-zone [type=submit]").click()
    phone.wait_for_load_state()
    phone.wait_for_selector(".flash.success")
    assert supports() == 0
    screenshot(phone, "support-withdrawn")
