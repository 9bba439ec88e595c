"""HTML with escaping by default: every value put into a template is escaped unless it is
already ``Safe`` (markup this package built). Standard library only, no template engine."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from functools import cache
from string import Template
from urllib.parse import urlencode

from ..clock import from_epoch


class Safe(str):
    """Markup: inserted into templates as it is."""

    __slots__ = ()


NOTHING = Safe("")


def esc(value: object) -> Safe:
    if isinstance(value, Safe):
        return value
    return Safe(html.escape("" if value is None else str(value), quote=True))


@cache
def _template(text: str) -> Template:
    return Template(text)


def fill(template: str, **values: object) -> Safe:
    """``template`` with each ``$name`` replaced by its value, escaped unless Safe."""
    return Safe(_template(template).substitute({k: esc(v) for k, v in values.items()}))


def join(parts: Iterable[Safe], separator: str = "") -> Safe:
    return Safe(separator.join(parts))


def url(path: str, params: Mapping[str, object]) -> str:
    """``path?query`` without the empty parameters."""
    kept = [(k, str(v)) for k, v in params.items() if v not in (None, "", False)]
    return f"{path}?{urlencode(kept)}" if kept else path


def moment(epoch: float) -> Safe:
    """A time: UTC in the markup, shown in the viewer's time zone by the page's script."""
    when = from_epoch(epoch)
    return fill(
        '<time datetime="$iso">$text</time>',
        iso=when.isoformat(timespec="seconds").replace("+00:00", "Z"),
        text=when.strftime("%Y-%m-%d %H:%M:%S UTC"),
    )


def duration(seconds: float) -> str:
    """``+1 h 30 min``, ``+2 d 0 h``, ``0 s``: an offset as people read it."""
    whole = round(seconds)
    if whole == 0:
        return "0 s"
    days, rest = divmod(abs(whole), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{days} d"] if days else []
    if hours or days:
        parts.append(f"{hours} h")
    if minutes and not days:
        parts.append(f"{minutes} min")
    if secs and not days and not hours:
        parts.append(f"{secs} s")
    return ("+" if whole > 0 else "-") + " ".join(parts)


def region(name: str, content: Safe, tag: str = "div") -> Safe:
    """A part of a view the page replaces when the live stream sends a newer rendering."""
    return fill(f'<{tag} data-region="$name">$content</{tag}>', name=name, content=content)


def pager(*, label: str, older: str | None, newer: str | None) -> Safe:
    """Previous/next links for a paginated list (nothing when there is one page)."""
    if older is None and newer is None:
        return Safe("")
    links = [
        fill('<a href="$href" rel="$rel">$text</a>', href=href, rel=rel, text=text)
        for href, rel, text in ((newer, "prev", "Newer"), (older, "next", "Older"))
        if href is not None
    ]
    return fill(
        '<nav class="pager" aria-label="$label">$links</nav>', label=label, links=join(links)
    )


def hidden(**fields: object) -> Safe:
    return join(
        fill('<input type="hidden" name="$name" value="$value">', name=name, value=value)
        for name, value in fields.items()
    )


def action_form(
    *, action: str, label: str, fields: Safe = NOTHING, button: str, css: str = "inline"
) -> Safe:
    """A form the page's script posts (with the anti-CSRF header) to an inbox action."""
    return fill(
        '<form class="$css" method="post" action="$action" data-action aria-label="$label">'
        '$fields<button type="submit">$button</button><p class="result" role="status"></p></form>',
        css=css,
        action=action,
        label=label,
        fields=fields,
        button=button,
    )


def table(*, caption: str, headers: Iterable[str], rows: Iterable[Iterable[object]]) -> Safe:
    """A scrollable table (narrow screens scroll it, not the page); cells are escaped. The
    caption names it for assistive technology; the section's heading shows."""
    head = join(fill('<th scope="col">$h</th>', h=h) for h in headers)
    body = join(
        fill("<tr>$cells</tr>", cells=join(fill("<td>$c</td>", c=c) for c in row)) for row in rows
    )
    return fill(
        '<div class="scroll"><table><caption class="visually-hidden">$caption</caption>'
        "<thead><tr>$head</tr></thead>"
        "<tbody>$body</tbody></table></div>",
        caption=caption,
        head=head,
        body=body,
    )
