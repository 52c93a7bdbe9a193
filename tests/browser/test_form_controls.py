"""Form controls look like what they are: a field with an error gets the red, thicker border
(visible without reading the message), and a primary submit input is filled like a primary button,
not a white box that reads as a text field."""

LOOK = "e => { const s = getComputedStyle(e); return [s.borderTopColor, s.borderTopWidth, s.backgroundColor]; }"
BAD = "rgb(163, 22, 27)"  # --bad
ACCENT = "rgb(11, 92, 173)"  # --accent


def test_error_fields_are_marked_and_primary_submits_are_filled(live_server, phone):
    phone.goto(live_server.url + "/auth/login")
    plain_border, _, _ = phone.eval_on_selector("#username", LOOK)
    _, _, submit_background = phone.eval_on_selector("main input[type=submit].primary", LOOK)
    assert submit_background == ACCENT

    phone.locator("main input[type=submit].primary").click()  # empty form: both fields are required
    phone.wait_for_selector(".has-error #username")
    error_border, error_width, _ = phone.eval_on_selector(".has-error #username", LOOK)
    assert (error_border, error_width) == (BAD, "2px") and plain_border != BAD
