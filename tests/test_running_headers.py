"""Running page headers must not end up in item titles.

A KL PDF carries the committee's name at the top of every page. When an item's
title is the last line of a page, the next line the parser meets is that header,
which must not be read as the title's second line ("Siden sidst KKR Syddanmark").
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from index.parsing import parse_file
from tests.pdf_factory import PAGE_BREAK, write_meeting_pdf

FILLER = (
    "KKR Syddanmark drøftede status for samarbejdet mellem kommunerne i regionen og de fælles "
    "indsatser på beskæftigelsesområdet, og formanden gav en kort orientering om arbejdet."
)

TEXT = f"""\
1. Godkendelse

1.1. Godkendelse af dagsorden

SAG-2021-02179 bel

Beslutning

{FILLER}

2. Orientering

2.1. Siden sidst

{PAGE_BREAK}

SAG-2021-03011 bel

Baggrund

{FILLER}

Beslutning

KKR Syddanmark tog orienteringen til efterretning.

2.2. Næste møde

{PAGE_BREAK}

SAG-2021-03012 bel

Baggrund

{FILLER}
"""


def test_a_running_header_after_a_title_at_a_page_break_stays_out_of_the_title(tmp_path: Path) -> None:
    path = write_meeting_pdf(
        TEXT, tmp_path / "header.pdf", meeting_date=date(2021, 6, 9), doc_type_header="REFERAT",
        running_header="KKR Syddanmark",
    )
    document = parse_file(path)
    titles = {item.number: item.title for item in document.items}
    assert titles == {"1.1": "Godkendelse af dagsorden", "2.1": "Siden sidst", "2.2": "Næste møde"}
    assert [item.case_number for item in document.items] == ["SAG-2021-02179", "SAG-2021-03011", "SAG-2021-03012"]
    body = " ".join(section.text for item in document.items for section in item.sections)
    assert "KKR Syddanmark drøftede" in body
    assert body.count("KKR Syddanmark") == body.count("KKR Syddanmark drøftede") + body.count("KKR Syddanmark tog")
