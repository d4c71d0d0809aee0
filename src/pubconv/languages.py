"""Every localised word pubconv prints or reads, in one table set (as docutils' ``languages/``).

Printing (PDF and EPUB alike): month and season names and the date pattern of
each language (:func:`format_date`), and the fixed words of the layout and of
the EPUB navigation (:func:`label`).  Reading (the source readers): the English
month names and abbreviations and the season words a printed date may use
(:data:`READ_MONTHS`, :data:`READ_SEASONS`).  A language without a table falls
back to English.
"""
from __future__ import annotations

from typing import Callable

#: Month names, January first, by language.
MONTHS = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
}
#: Season names by language, keyed by the intermediate's season values.
SEASONS = {
    "en": {"Spring": "Spring", "Summer": "Summer", "Autumn": "Autumn", "Winter": "Winter"},
    "fr": {"Spring": "Printemps", "Summer": "Été", "Autumn": "Automne", "Winter": "Hiver"},
    "de": {"Spring": "Frühjahr", "Summer": "Sommer", "Autumn": "Herbst", "Winter": "Winter"},
    "es": {"Spring": "Primavera", "Summer": "Verano", "Autumn": "Otoño", "Winter": "Invierno"},
    "it": {"Spring": "Primavera", "Summer": "Estate", "Autumn": "Autunno", "Winter": "Inverno"},
    "pt": {"Spring": "Primavera", "Summer": "Verão", "Autumn": "Outono", "Winter": "Inverno"},
    "nl": {"Spring": "Voorjaar", "Summer": "Zomer", "Autumn": "Herfst", "Winter": "Winter"},
}
#: day, month name, year -> the full date as the language writes it.
DATE_PATTERNS: dict[str, Callable[[int, str, int], str]] = {
    "en": lambda d, m, y: f"{d} {m} {y}",
    "fr": lambda d, m, y: f"{'1er' if d == 1 else d} {m} {y}",
    "de": lambda d, m, y: f"{d}. {m} {y}",
    "es": lambda d, m, y: f"{d} de {m} de {y}",
    "it": lambda d, m, y: f"{d} {m} {y}",
    "pt": lambda d, m, y: f"{d} de {m} de {y}",
    "nl": lambda d, m, y: f"{d} {m} {y}",
}
#: The fixed words of the layout (title page, headings) and of the EPUB's navigation.
LABELS = {
    "en": {"abstract": "Abstract", "keywords": "Keywords", "notes": "Notes", "and": "and",
           "contents": "Contents", "landmarks": "Landmarks", "title-page": "Title page",
           "start-of-text": "Start of text", "figure": "Figure",
           "table": "Table"},
    "fr": {"abstract": "Résumé", "keywords": "Mots-clés", "notes": "Notes", "and": "et",
           "contents": "Table des matières", "landmarks": "Repères", "title-page": "Page de titre",
           "start-of-text": "Début du texte", "figure": "Figure",
           "table": "Tableau"},
    "de": {"abstract": "Zusammenfassung", "keywords": "Schlagwörter", "notes": "Anmerkungen", "and": "und",
           "contents": "Inhalt", "landmarks": "Orientierungspunkte", "title-page": "Titelseite",
           "start-of-text": "Textbeginn", "figure": "Abbildung",
           "table": "Tabelle"},
    "es": {"abstract": "Resumen", "keywords": "Palabras clave", "notes": "Notas", "and": "y",
           "contents": "Índice", "landmarks": "Puntos de referencia", "title-page": "Portada",
           "start-of-text": "Inicio del texto", "figure": "Figura",
           "table": "Tabla"},
    "it": {"abstract": "Sommario", "keywords": "Parole chiave", "notes": "Note", "and": "e",
           "contents": "Indice", "landmarks": "Punti di riferimento", "title-page": "Frontespizio",
           "start-of-text": "Inizio del testo", "figure": "Figura",
           "table": "Tabella"},
    "pt": {"abstract": "Resumo", "keywords": "Palavras-chave", "notes": "Notas", "and": "e",
           "contents": "Índice", "landmarks": "Marcos", "title-page": "Página de rosto",
           "start-of-text": "Início do texto", "figure": "Figura",
           "table": "Tabela"},
    "nl": {"abstract": "Samenvatting", "keywords": "Trefwoorden", "notes": "Noten", "and": "en",
           "contents": "Inhoud", "landmarks": "Oriëntatiepunten", "title-page": "Titelpagina",
           "start-of-text": "Begin van de tekst", "figure": "Figuur",
           "table": "Tabel"},
}

#: Quotation marks (open, close, open2, close2) by language; ``lang-region`` wins over ``lang``.  Used by the
#: authoring form's smart punctuation and by the PDF/EPUB typography (French ones hold a narrow no-break space).
QUOTES: dict[str, tuple[str, str, str, str]] = {
    "en": ("“", "”", "‘", "’"),
    "nl": ("“", "”", "‘", "’"),
    "tr": ("“", "”", "‘", "’"),
    "de": ("„", "“", "‚", "‘"),
    "de-ch": ("«", "»", "‹", "›"),
    "cs": ("„", "“", "‚", "‘"),
    "sk": ("„", "“", "‚", "‘"),
    "pl": ("„", "”", "«", "»"),
    "ro": ("„", "”", "«", "»"),
    "hu": ("„", "”", "»", "«"),
    "bg": ("„", "“", "„", "“"),
    "hr": ("„", "“", "‚", "‘"),
    "fr": ("«\u202f", "\u202f»", "“", "”"),
    "fr-ch": ("«", "»", "‹", "›"),
    "it": ("«", "»", "“", "”"),
    "es": ("«", "»", "“", "”"),
    "pt": ("«", "»", "“", "”"),
    "pt-br": ("“", "”", "‘", "’"),
    "ru": ("«", "»", "„", "“"),
    "uk": ("«", "»", "„", "“"),
    "sv": ("”", "”", "’", "’"),
    "fi": ("”", "”", "’", "’"),
    "da": ("»", "«", "›", "‹"),
    "nb": ("«", "»", "‘", "’"),
    "no": ("«", "»", "‘", "’"),
}

#: Reading printed dates: English month names and their abbreviations (``Sept`` too) -> month number.
READ_MONTHS = {m.lower(): i for i, m in enumerate(MONTHS["en"].split(), 1)}
READ_MONTHS.update({k[:3]: v for k, v in list(READ_MONTHS.items())})
READ_MONTHS["sept"] = 9
#: Reading printed dates: season words -> the intermediate's season value.
READ_SEASONS = {"spring": "Spring", "summer": "Summer", "autumn": "Autumn", "fall": "Autumn", "winter": "Winter"}


def base_lang(lang: str) -> str:
    """The table to use for a language tag: ``fr-BE`` -> ``fr``; English when there is none."""
    base = lang.split("-")[0].lower()
    return base if base in MONTHS else "en"


def format_date(iso: str, season: str | None, lang: str) -> str:
    """A date as readers of ``lang`` write it: ``3 March 2021``, ``Spring 2021``, ``2021``.

    ``iso`` has the precision the source gave (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``).
    """
    base = base_lang(lang)
    parts = [int(p) for p in iso.split("-")]
    year = parts[0]
    if season:
        return f"{SEASONS[base][season]} {year}"
    if len(parts) == 1:
        return str(year)
    month = MONTHS[base].split()[parts[1] - 1]
    if len(parts) == 2:
        return f"{month[0].upper() + month[1:] if base != 'en' else month} {year}"
    return DATE_PATTERNS[base](parts[2], month, year)


def quotes(lang: str) -> list[str]:
    """The four quotation marks of ``lang`` (``de-CH`` has its own, ``de-AT`` takes German's); English ones
    when the language has none."""
    tag = (lang or "en").lower().replace("_", "-")
    return list(QUOTES.get(tag) or QUOTES.get(tag.split("-")[0]) or QUOTES["en"])


def label(key: str, lang: str) -> str:
    """A fixed word (``abstract``, ``keywords``, ``contents``...) in ``lang``."""
    return LABELS[base_lang(lang)][key]


def labels(lang: str) -> dict[str, str]:
    """Every fixed word in ``lang``, by key."""
    return LABELS[base_lang(lang)]
