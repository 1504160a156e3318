"""French first, English complete: every user-visible string is marked for translation
and has a French translation."""

import ast
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.base import Lexer, TokenType

from tests.conftest import IN_CI

ROOT = Path(settings.BASE_DIR)
APPS = ["concertation", "members", "tables", "projects", "funding"]
PO_FILE = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")

# Text that is the same in every language: the product's name, each language's own name
# on the language switch, and the unit "min" (minutes in French and English alike).
UNTRANSLATED_WORDS = {"Concertation", "English", "Français", "min"}
TRANSLATED_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "data-confirm", "label"}
PLACEHOLDER = " "


def template_files():
    return sorted(p for p in (ROOT / "templates").rglob("*") if p.suffix in {".html", ".txt", ".css"})


def strip_template_syntax(source):
    """The template's literal text, with every tag and variable replaced by a placeholder,
    and the contents of comment / blocktranslate blocks removed (they are translated or
    not shown)."""
    out, skip_until = [], None
    for token in Lexer(source).tokenize():
        content = token.contents.strip()
        if skip_until:
            if token.token_type == TokenType.BLOCK and content.split()[0] == skip_until:
                skip_until = None
            continue
        if token.token_type == TokenType.TEXT:
            out.append(token.contents)
        elif token.token_type == TokenType.BLOCK and content.split()[0] in {
            "blocktranslate",
            "blocktrans",
            "comment",
        }:
            skip_until = "end" + content.split()[0]
            out.append(PLACEHOLDER)
        elif (
            token.token_type == TokenType.BLOCK
            and content.startswith("block ")
            and content.endswith("_class")
        ):
            # {% block main_class %}narrow{% endblock %}: CSS class names, not text.
            skip_until = "endblock"
            out.append(PLACEHOLDER)
        elif token.token_type != TokenType.COMMENT:
            out.append(PLACEHOLDER)
    return "".join(out)


class TextCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if name in TRANSLATED_ATTRIBUTES and value:
                self.texts.append(value)

    def handle_endtag(self, tag):
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.texts.append(data)


def untranslated_text(source, is_html):
    text = strip_template_syntax(source)
    if is_html:
        collector = TextCollector()
        collector.feed(text)
        pieces = collector.texts
    else:
        pieces = [text]
    found = []
    for piece in pieces:
        for word in re.findall(r"[^\W\d_]{2,}", piece.replace(PLACEHOLDER, " ")):
            if word not in UNTRANSLATED_WORDS:
                found.append(word)
    return found


def test_templates_have_no_text_outside_translation_tags():
    problems = {}
    for path in template_files():
        if path.suffix == ".css":
            continue
        words = untranslated_text(path.read_text(), is_html=path.suffix == ".html")
        if words:
            problems[str(path.relative_to(ROOT))] = words[:8]
    assert problems == {}, f"Text not marked for translation: {problems}"


def test_the_template_check_catches_plain_text():
    assert untranslated_text("<p>Hello {{ name }}</p>", True) == ["Hello"]
    assert untranslated_text('<input placeholder="Name">', True) == ["Name"]
    assert untranslated_text("<p>{% translate 'Hello' %} {{ x }}</p>", True) == []
    assert untranslated_text("{% blocktranslate %}Hi {{ a }}{% endblocktranslate %}", True) == []


TRANSLATED_KEYWORDS = {"verbose_name", "verbose_name_plural", "label", "help_text", "empty_label"}
MESSAGE_FUNCTIONS = {"success", "error", "warning", "info", "debug", "add_message"}


def python_files():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path.name.startswith("demo"):
                continue
            yield path


def is_text(node):
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.search(r"[^\W\d_]{2,}", node.value)
    )


def unmarked_python_strings(source, filename="<string>"):
    problems = []
    tree = ast.parse(source, filename)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in TRANSLATED_KEYWORDS and is_text(keyword.value):
                    problems.append((node.lineno, keyword.value.value))
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
            if (
                owner == "messages"
                and name in MESSAGE_FUNCTIONS
                and len(node.args) >= 2
                and is_text(node.args[1])
            ):
                problems.append((node.lineno, node.args[1].value))
            if name == "ValidationError" and node.args and is_text(node.args[0]):
                problems.append((node.lineno, node.args[0].value))
        if isinstance(node, ast.ClassDef) and any(
            getattr(base, "attr", getattr(base, "id", "")) in {"TextChoices", "IntegerChoices"}
            for base in node.bases
        ):
            for statement in node.body:
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Tuple):
                    label = statement.value.elts[-1]
                    if is_text(label):
                        problems.append((statement.lineno, label.value))
    return problems


def test_python_user_strings_are_marked_for_translation():
    problems = {}
    for path in python_files():
        found = unmarked_python_strings(path.read_text(), str(path))
        if found:
            problems[str(path.relative_to(ROOT))] = found
    assert problems == {}, f"Strings shown to people but not marked for translation: {problems}"


def test_the_python_check_catches_plain_strings():
    source = (
        "messages.success(request, 'Saved')\n"
        "f = CharField(verbose_name='name')\n"
        "raise ValidationError('Bad')\n"
        "class K(models.TextChoices):\n    A = 'a', 'Alpha'\n"
    )
    assert sorted(text for _line, text in unmarked_python_strings(source)) == [
        "Alpha",
        "Bad",
        "Saved",
        "name",
    ]
    assert unmarked_python_strings("messages.success(request, _('Saved'))") == []


def needs_gettext():
    if shutil.which("xgettext") and shutil.which("msgmerge"):
        return
    if IN_CI:
        pytest.fail("gettext (xgettext, msgmerge) is required in CI")
    pytest.skip("gettext is not installed (apt-get install gettext)")


def test_every_marked_string_has_a_french_translation(tmp_path, settings):
    """Extract the strings afresh, merge them into a copy of the French catalogue and
    require every entry to be translated and not fuzzy."""
    needs_gettext()
    # makemessages writes into every folder of LOCALE_PATHS: only the copy, never the
    # repository's catalogue.
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    for name in [*APPS, "templates"]:
        os.symlink(ROOT / name, tmp_path / name)
    catalogue_dir = tmp_path / "locale" / "fr" / "LC_MESSAGES"
    catalogue_dir.mkdir(parents=True)
    shutil.copy(PO_FILE, catalogue_dir / "django.po")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        call_command("makemessages", locale=["fr"], symlinks=True, no_obsolete=True, verbosity=0)
    finally:
        os.chdir(cwd)
    catalogue = polib.pofile(str(catalogue_dir / "django.po"))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert missing == [], f"No French translation for: {missing}"
    assert fuzzy == [], f"Fuzzy (unchecked) French translations for: {fuzzy}"


def test_compiled_catalogue_is_up_to_date():
    source = {
        (e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural)
        for e in polib.pofile(str(PO_FILE)).translated_entries()
    }
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural) for e in polib.mofile(str(MO_FILE)) if e.msgid
    }
    assert compiled == source, "Run `make messages` (or compilemessages) to rebuild django.mo"


def test_french_is_the_default_language(client, db):
    response = client.get("/")
    assert response["Content-Language"] == "fr-ca"
    assert '<html lang="fr-CA"' in response.text


def test_browser_language_does_not_override_french(client, db):
    response = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="fr-CA"' in response.text


def test_the_switch_changes_the_language_and_remembers_it(client, db):
    response = client.post("/language/", {"language": "en", "next": "/tables/"})
    assert response.url == "/tables/"
    response = client.get("/tables/")
    assert '<html lang="en"' in response.text
    assert "Concertation tables" in response.text


def test_a_signed_in_person_keeps_their_language(world):
    from django.test import Client

    client = Client()
    client.force_login(world.delegate_a)
    client.post("/language/", {"language": "en"})
    world.delegate_a.refresh_from_db()
    assert world.delegate_a.language == "en"
    fresh = Client()
    fresh.force_login(world.delegate_a)
    assert '<html lang="en"' in fresh.get("/").text


def test_language_switch_refuses_foreign_redirects(client, db):
    response = client.post("/language/", {"language": "en", "next": "https://evil.example.com/"})
    assert response.url == "/"
