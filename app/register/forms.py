from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField


class ImportForm(FlaskForm):
    file = FileField(
        _l("The register as a CSV file"),
        validators=[FileRequired(message=_l("Choose the CSV file of the register."))],
        render_kw={"accept": ".csv,text/csv"},
        description=_l(
            "First line: 姓名, 地址, 户号, 电话 (or name, address, household, phone); household and phone may be "
            "left out. UTF-8 or GB18030 (a spreadsheet's “CSV”). It replaces the register kept today."
        ),
    )
    submit = SubmitField(_l("Import the register"))


class HouseholdsForm(FlaskForm):
    submit = SubmitField(_l("Place verified members in their register households"))
