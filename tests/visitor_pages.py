"""Every page type of the public site in both languages, as addresses on the demo library: the pages a
visitor meets (tests/browser/test_widths.py, tests/test_html_validity.py). Plain paths, no ORM, so that the
browser tests can use them beside playwright too; the contact form's address holds the page id, and is read
from the practice page's own "Scrivi ai promotori" link (`contact_path`)."""

import re

PAGES = {
    "it": {
        "home": "/it/",
        "library": "/it/biblioteca/",
        "library-filtered": "/it/biblioteca/?sdg=11&territory=01&territory=03",
        "landing-sdg": "/it/biblioteca/sdg/17/",
        "landing-territory": "/it/biblioteca/territorio/01/",
        "landing-network": "/it/biblioteca/rete/rete-next-mobilitarsi/",
        "landing-theme": "/it/biblioteca/tema/formazione/",
        "landing-empty": "/it/biblioteca/sdg/2/",
        "landing-empty-territory": "/it/biblioteca/territorio/02/",
        "search-form": "/it/search/",
        "search": "/it/search/?q=volontariato",
        "search-typo": "/it/search/?q=cooperatva",
        "good-practice": "/it/biblioteca/next-mappatura-contesto-locale/",
        "case-study": "/it/biblioteca/caso-next-mobilitarsi/",
        "training-module": "/it/reti-solidali-e-competenti/modulo-01-leggere-il-territorio/",
        "residency": "/it/residenze/residenza-torino/",
        "network": "/it/reti/rete-next-mobilitarsi/",
        "networks": "/it/reti/",
        "programme": "/it/reti-solidali-e-competenti/",
        "proposal-form": "/it/segnala/",
        "standard-page": "/it/chi-siamo/",
        "open-data": "/it/dati/",
    },
    "en": {
        "home": "/en/",
        "library": "/en/library/",
        "library-filtered": "/en/library/?sdg=11&territory=01&territory=03",
        "landing-sdg": "/en/library/sdg/17/",
        "landing-territory": "/en/library/territory/01/",
        "landing-network": "/en/library/network/next-mobilitarsi-network/",
        "landing-theme": "/en/library/theme/formazione/",
        "landing-empty": "/en/library/sdg/2/",
        "landing-empty-territory": "/en/library/territory/02/",
        "search-form": "/en/search/",
        "search": "/en/search/?q=volunteering",
        "search-typo": "/en/search/?q=cooperatva",
        "good-practice": "/en/library/next-mapping-the-local-context/",
        "case-study": "/en/library/case-next-mobilitarsi/",
        "training-module": "/en/supportive-and-competent-networks/module-01-reading-the-territory/",
        # No English residency in the demo: the English library shows the Italian one in the English interface.
        "residency": "/en/library/in-italian/residenza-torino/",
        "network": "/en/networks/next-mobilitarsi-network/",
        "networks": "/en/networks/",
        "programme": "/en/supportive-and-competent-networks/",
        "proposal-form": "/en/propose/",
        "open-data": "/en/data/",
    },
}

CONTACT_LINK = re.compile(r'href="(/(?:it|en)/(?:contatta|contact)/\d+/)"')


def contact_path(practice_html):
    """The contact form's address, as the practice page links to it."""
    match = CONTACT_LINK.search(practice_html)
    assert match, "the good practice page links to no contact form"
    return match.group(1)


def every_page():
    """(language, name, path) for every page above."""
    return [(language, name, path) for language, pages in PAGES.items() for name, path in pages.items()]
