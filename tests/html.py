"""Reading rendered pages in tests: the text of an element by id, or of every element carrying
a CSS class."""

import html
import re
from html.parser import HTMLParser


def text_of(markup: str) -> str:
    text = re.sub(r"<[^>]+>", " ", markup)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def element(page: str, element_id: str) -> str:
    """The markup of the element with this id, up to its closing tag (no nesting of the same
    tag inside it)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"[^>]*>', page)
    assert match, f"no element #{element_id}"
    tag = match.group(1)
    if tag in ClassTexts.VOID:
        return match.group(0)
    depth, position = 1, match.end()
    pattern = re.compile(rf"<(/?){tag}\b[^>]*>")
    while depth:
        found = pattern.search(page, position)
        depth += -1 if found.group(1) else 1
        position = found.end()
    return page[match.start() : position]


def text_in(page: str, element_id: str) -> str:
    return text_of(element(page, element_id))


class ClassTexts(HTMLParser):
    """The text of every element carrying a CSS class, nested elements included."""

    VOID = frozenset({"img", "input", "br", "meta", "link", "hr"})

    def __init__(self, css_class: str):
        super().__init__()
        self.css_class = css_class
        self.open: list[list[str] | None] = []
        self.found: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        collected = [] if self.css_class in classes else None
        if collected is not None:
            self.found.append(collected)
        self.open.append(collected)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.open:
            self.open.pop()

    def handle_data(self, data):
        for collected in self.open:
            if collected is not None:
                collected.append(data)


def texts_of_class(markup: str, css_class: str) -> list[str]:
    reader = ClassTexts(css_class)
    reader.feed(markup)
    return [re.sub(r"\s+", " ", "".join(parts)).strip() for parts in reader.found]


def field_error(page: str, name: str) -> str:
    """The message rendered under the form field `name` (Bootstrap-Flask's invalid-feedback
    right after the input), or "" when the field has none."""
    match = re.search(
        rf'<(?:input|select|textarea)\b[^>]*\bname="{re.escape(name)}"[^>]*>\s*'
        r'<div class="invalid-feedback[^"]*">(.*?)</div>',
        page,
        re.S,
    )
    return text_of(match.group(1)) if match else ""
