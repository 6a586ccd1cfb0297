"""Saving FAQs: add, edit, reorder, delete, and a bundle's whole list at once."""

from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..markdown import render_markdown
from ..models import Faq, Tenant
from .audit import Change, record
from .errors import ContentInvalid
from .fields import apply, check_line, check_text, line, text_block

QUESTION_LIMIT = 300
ANSWER_LIMIT = 20_000


def check(question: str, answer: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not question:
        errors["question"] = "Write the question."
    else:
        check_line(errors, "question", question, "The question", QUESTION_LIMIT)
    check_text(errors, "answer", answer, "The answer", ANSWER_LIMIT)
    return errors


def ordered(tenant: Tenant) -> list[Faq]:
    return list(
        db.session.scalars(
            select(Faq).where(Faq.tenant_id == tenant.id).order_by(Faq.position, Faq.id)
        )
    )


def save_faq(
    tenant: Tenant,
    faq: Faq | None,
    question: str,
    answer: str,
    *,
    actor: str = "",
    source: str = "studio",
    position: int | None = None,
) -> tuple[Faq, dict]:
    """Create (at the end of the list, or at `position`) or update one question."""
    question, answer = line(question), text_block(answer)
    errors = check(question, answer)
    if errors:
        raise ContentInvalid(errors)
    created = faq is None
    if faq is None:
        if position is None:
            last = db.session.scalar(
                select(func.max(Faq.position)).where(Faq.tenant_id == tenant.id)
            )
            position = 0 if last is None else last + 1
        faq = Faq(tenant_id=tenant.id, position=position)
        db.session.add(faq)
    changes = apply(
        faq, {"question": question, "answer_md": answer, "answer_html": render_markdown(answer)}
    )
    changes.pop("answer_html", None)
    db.session.flush()
    if changes or created:
        action = "faq.create" if created else "faq.update"
        label = f"faq {faq.position + 1}"
        record(tenant, Change(tenant.id, action, f"faq:{faq.id}", label, source, actor, changes))
    return faq, changes


def delete_faq(tenant: Tenant, faq: Faq, *, actor: str = "", source: str = "studio") -> None:
    details = {"question": [faq.question, None]}
    record(
        tenant,
        Change(
            tenant.id,
            "faq.delete",
            f"faq:{faq.id}",
            f"faq {faq.position + 1}",
            source,
            actor,
            details,
        ),
    )
    db.session.delete(faq)
    db.session.flush()
    _renumber(tenant, ordered(tenant))


def move_faq(
    tenant: Tenant, faq: Faq, offset: int, *, actor: str = "", source: str = "studio"
) -> bool:
    """Move one question up (-1) or down (+1); False at either end of the list."""
    faqs = ordered(tenant)
    index = next(i for i, row in enumerate(faqs) if row.id == faq.id)
    to = index + offset
    if not 0 <= to < len(faqs):
        return False
    faqs.insert(to, faqs.pop(index))
    return reorder(tenant, faqs, actor=actor, source=source)


def reorder(tenant: Tenant, faqs: list[Faq], *, actor: str = "", source: str = "studio") -> bool:
    """Put the clinic's questions in exactly this order (all of them, once each)."""
    current = ordered(tenant)
    if sorted(f.id for f in faqs) != sorted(f.id for f in current):
        raise ContentInvalid({"order": "The list changed meanwhile; reload and try again."})
    before = [f.id for f in current]
    if not _renumber(tenant, faqs) and before == [f.id for f in faqs]:
        return False
    details = {"order": [before, [f.id for f in faqs]]}
    record(tenant, Change(tenant.id, "faq.reorder", "faq:*", "faq order", source, actor, details))
    return True


def _renumber(tenant: Tenant, faqs: list[Faq]) -> bool:
    changed = False
    for position, faq in enumerate(faqs):
        if faq.position != position:
            faq.position = position
            changed = True
    db.session.flush()
    return changed


def sync_faqs(
    tenant: Tenant, items: list[tuple[str, str]], *, actor: str = "", source: str = "bundle"
) -> list[tuple[bool, str, list[str]]]:
    """Make the FAQ exactly `items` (question, answer) in order, matched by position (a
    bundle owns the whole list). Returns (created, label, changed fields) per change."""
    existing = {f.position: f for f in ordered(tenant)}
    report: list[tuple[bool, str, list[str]]] = []
    for position, (question, answer) in enumerate(items):
        faq = existing.pop(position, None)
        try:
            _, changes = save_faq(
                tenant, faq, question, answer, actor=actor, source=source, position=position
            )
        except ContentInvalid as exc:
            errors = {f"faqs[{position}].{k}": v for k, v in exc.errors.items()}
            raise ContentInvalid(errors) from exc
        if faq is None or changes:
            report.append((faq is None, f"faq {position + 1}", list(changes)))
    for position, faq in sorted(existing.items()):
        delete_faq(tenant, faq, actor=actor, source=source)
        report.append((False, f"faq {position + 1} removed", []))
    return report
