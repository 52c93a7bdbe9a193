"""The one clock: naive UTC "now", the community's calendar (Asia/Shanghai in tests), the demo's shift."""

from datetime import date, datetime, timedelta

from freezegun import freeze_time

from app.core import clock


def test_local_calendar_is_the_configured_time_zone(app):
    with app.app_context():
        late_evening_utc = datetime(2026, 3, 1, 17, 30)  # 01:30 on 2 March in Shanghai
        assert clock.to_local(late_evening_utc) == datetime(2026, 3, 2, 1, 30)
        assert clock.local_date(late_evening_utc) == date(2026, 3, 2)
        assert clock.to_utc(datetime(2026, 3, 2, 1, 30)) == late_evening_utc
        with freeze_time(late_evening_utc):
            assert clock.now() == late_evening_utc
            assert clock.local_today() == date(2026, 3, 2)


def test_shifted_to_moves_now_but_not_the_real_time():
    with freeze_time(datetime(2026, 3, 1, 12, 0)):
        with clock.shifted_to(datetime(2026, 2, 1, 9, 0)):
            assert clock.now() == datetime(2026, 2, 1, 9, 0)
            assert clock.utcnow() == datetime(2026, 3, 1, 12, 0)
        assert clock.now() == datetime(2026, 3, 1, 12, 0)
        with clock.shifted(-timedelta(days=1)):
            assert clock.now() == datetime(2026, 2, 28, 12, 0)
