"""We asked, you said, we did: the Nota van beantwoording names, per theme, the initiatives adopted for it."""

from tests import factories
from tests.initiatives import factories as inf
from tests.initiatives.factories import S


def test_the_nota_lists_the_programme_initiatives_of_each_theme_and_nothing_else(client, world, login_as):
    c = world.consultation
    inf.initiative(c, world.lead, S.in_progress, title="Vernieuwing Koopmansplein")
    inf.initiative(c, world.co, S.completed, title="Route Brink – Drents Museum")
    inf.initiative(c, world.other, S.draft, title="Concept Oudestraat")
    inf.initiative(c, world.other, S.declined, title="Afgewezen plan")
    inf.initiative(c, world.other, S.in_review, title="Plan in behandeling")
    factories.commit()
    login_as(world.moderator)
    page = client.get(f"/consultaties/{c.slug}/nota").get_data(as_text=True)
    first_theme = page.split(f'id="thema-{c.themes[0].id}-title"')[1].split('id="thema-')[0]
    assert "Vernieuwing Koopmansplein" in first_theme and "Route Brink – Drents Museum" in first_theme
    assert "Wat er met dit thema gebeurt" in first_theme
    for hidden in ("Concept Oudestraat", "Afgewezen plan", "Plan in behandeling"):
        assert hidden not in page
    second_theme = page.split(f'id="thema-{c.themes[1].id}-title"')[1].split("</section>")[0]
    assert "Vernieuwing Koopmansplein" not in second_theme
