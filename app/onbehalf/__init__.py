"""Entries on behalf of residents (代录): a committee member or grid worker (网格员) records a
proposal, support, comment or rating for a verified resident who reached them on paper, by phone,
on a home visit or through the suggestion box. The act is stored as the resident's own (matters and
tracker services, `entered_by`/`channel`), so it counts once, like theirs; this package holds the
forms, the daily cap, the lists for the committee and the worker, and the panel on a matter's page."""

from app.communities.scoping import community_blueprint

bp = community_blueprint("onbehalf", __name__, url_prefix="/on-behalf")

from . import routes  # noqa: E402,F401


def init_app(app):
    from app.core.i18n import label_param
    from app.core.vocabulary import EntryChannel
    from app.matters import hooks as matter_hooks

    app.register_blueprint(bp)
    # Notifications store the channel; shown in the reader's language.
    label_param("channel", EntryChannel.label_of)
    app.add_template_global(EntryChannel.label_of, "entry_channel_label")
    # After the resident vote (voting, 30): who entered supports for residents, and the worker's link.
    matter_hooks.add_panel(routes.matter_panel, order=40)
