"""Modules (read by everyone with an account), a trainee's own training, the quiz, and a certificate's PDF
(the trainee's own, or of a county the trainer manages)."""
from __future__ import annotations

import re
from urllib.parse import quote

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from portal import refdata
from portal.capabilities import can
from portal.content.policy_doc import cn_number, label_for
from portal.content.render import render_markdown
from portal.core import training_rules
from portal.core.plan import PLAN_ID
from portal.core.refusals import FormKey
from portal.extensions import db
from portal.models import Certificate, PolicyDocument
from portal.training import bank, bp, certificates
from portal.training import services as s
from portal.training.certificate_pdf import Printed, certificate_pdf, zh
from portal.training.certificate_views import person_panel
from portal.training.forms import feedback_form, quiz_answers, quiz_form
from portal.training.quiz import failed_message, incomplete_message, unanswered, wrong
from portal.training.scope import TrainingError, can_manage
from portal.training.views import _trainee_page
from portal.web.access import any_account, requires
from portal.web.actions import attempt
from portal.web.forms import NOTHING_REFUSED, Refused
from portal.web.panels import MODULE, read_panels

REFERENCE = re.compile(r"\[\[(?:([a-z0-9-]+):)?([A-Za-z0-9.\-]+)\]\]")
ARTICLE = re.compile(r"^a(\d+)(?:-(\d+))?$")  # a92, a17-1 (第十七条之一)


def reference_label(doc_id: str | None, clause_id: str, titles: dict) -> str:
    """三（二）10 for the 方案; 《未成年人保护法》第九十二条 for a statute article."""
    if doc_id is None or doc_id == PLAN_ID:
        try:
            return label_for(clause_id)
        except ValueError:
            return clause_id
    title, labels = titles.get(doc_id, (None, {}))
    label = labels.get(clause_id)
    if label is None:
        m = ARTICLE.match(clause_id)
        label = (f"第{cn_number(int(m.group(1)))}条" + (f"之{cn_number(int(m.group(2)))}" if m.group(2) else "")
                 if m else clause_id)
    return f"《{title}》{label}" if title else label


def reference_titles(refs) -> dict:
    """doc id -> (short title, {clause id: label}) of the documents the references name: the
    documents in one statement, the labels from the per-process reference data."""
    doc_ids = {d for d, _ in refs if d}
    out: dict = {}
    if not doc_ids:
        return out
    for doc_id, title, short_title in db.session.execute(
            sa.select(PolicyDocument.doc_id, PolicyDocument.title, PolicyDocument.short_title)
            .where(PolicyDocument.doc_id.in_(doc_ids))):
        clauses = refdata.clauses(doc_id)
        labels = {c: clauses[c].label for d, c in refs if d == doc_id and c in clauses}
        out[doc_id] = (short_title or title, labels)
    return out


def module_html(module, text: str | None = None) -> str:
    """The body (or `text` of the module, e.g. a question's 解析) as sanitised HTML, each [[...]]
    reference a link to its clause page."""
    titles = reference_titles([tuple(r) for r in module.references])

    def link(m: re.Match) -> str:
        doc_id, clause_id = m.group(1), m.group(2)
        label = reference_label(doc_id, clause_id, titles)
        target_doc = doc_id or PLAN_ID
        if doc_id and doc_id not in titles:
            return f"（{label}）"
        return f"（[{label}]({url_for('policy.clause', doc_id=target_doc, clause_id=clause_id)})）"

    return render_markdown(REFERENCE.sub(link, module.body if text is None else text))


def _module_or_404(key: str):
    module = s.get_module(key[:80])
    if module is None:
        abort(404)
    return module


@bp.route("/training/modules")
@any_account
def modules():
    return render_template("training/modules.html", modules=s.live_modules(), training_rules=training_rules, label_for=label_for)


def module_page(m, form=None, message: str | None = None, status: int = 200, feedback=None,
                feedback_error: str | None = None):
    """The module page; for a trainee with a quiz, `form` keeps the choices just submitted and `message`
    says what was missing or wrong; a refused `feedback` form is shown again as typed, `feedback_error`
    beside it."""
    trainee = s.trainee_of(current_user) if can(current_user, "learn") else None
    wait, shown, review, done, renewal = 0, None, [], None, False
    if trainee is not None:
        s.mark_started(trainee, m)
        done = s.current_completion(trainee.id, m.id)
        renewal = done is not None and s.needs_completion(trainee.id, m.id)  # a course's renewal asks for it again
        if m.quiz:
            shown, review = bank.drawn(trainee, m), bank.last_review(trainee, m)
            form, wait = form or quiz_form(shown), s.quiz_wait(trainee, m)
    else:
        form = None
    return render_template("training/module.html", m=m, body=module_html(m), training_rules=training_rules, label_for=label_for,
                           trainee=trainee, form=form, wait=wait, quiz_message=message, shown=shown, done=done,
                           renewal=renewal,
                           review=[(r, module_html(m, r.explanation) if r.explanation else "") for r in review],
                           feedback=(feedback or feedback_form(bank.feedback_of(trainee, m))) if done else None,
                           feedback_error=feedback_error,
                           panels=read_panels(MODULE, m)), status  # other domains' panels (portal/web/panels.py)


@bp.route("/training/modules/<key>")
@any_account
def module(key: str):
    return module_page(_module_or_404(key))


@bp.route("/training/modules/<key>/quiz", methods=["POST"])
@requires("learn")
def quiz(key: str):
    m = _module_or_404(key)
    trainee = s.trainee_of(current_user)
    if trainee is None or not m.quiz:
        abort(404)
    shown = bank.drawn(trainee, m)  # the questions this attempt was shown (the bank's draw)
    form = quiz_form(shown, formdata=request.form)
    if not form.validate_on_submit():
        return module_page(m, form, "提交失败，请刷新页面后重试。", 422)
    answers = quiz_answers(form, shown)
    missing = unanswered(shown, answers)
    if missing:  # refused before grading: not an attempt, the choices stay
        return module_page(m, form, incomplete_message(missing), 422)
    graded, by_number = bank.by_id(shown, answers)
    graded_attempt = []
    refusal = attempt(lambda: graded_attempt.append(s.submit_quiz(current_user, trainee, m, by_number, quiz=graded)),
                      TrainingError)
    if refusal is not None:
        return module_page(_module_or_404(key), form, str(refusal) or "不能提交测验。", 422)
    result = graded_attempt[0]
    if result.passed:
        flash(f"测验通过：得分 {result.score} 分（及格 {m.quiz['pass_mark']} 分），本模块已完成。", "success")
        return redirect(url_for("training.mine"))
    message = failed_message(result.score, m.quiz["pass_mark"], wrong(shown, answers))
    same = [q["id"] for q in bank.drawn(trainee, m)["questions"]] == [q["id"] for q in shown["questions"]]
    if not same:  # a bank draws new questions for the next try
        return module_page(m, None, message + "下次测验将重新抽题，可先查看下方的答题解析。")
    return module_page(m, form, message)


@bp.route("/training/my")
@requires("learn")
def mine():
    return mine_page()


def mine_page(refused: Refused = NOTHING_REFUSED):
    """我的培训; `refused`: a certificate's download refused, the reason in its row, at 422."""
    trainee = s.trainee_of(current_user)
    history = s.history_of(trainee) if trainee else []
    items = s.assignments_of(trainee, history) if trainee else []
    panel = person_panel(trainee, history) if trainee else {}
    page = render_template("training/mine.html", trainee=trainee, items=items, training_rules=training_rules,
                           refused=refused, **panel)
    return (page, 422) if refused.key else page


def _may_download(cert: Certificate) -> bool:
    if cert.trainee.user_id is not None and cert.trainee.user_id == current_user.id:
        return True
    return can_manage(current_user, cert.county_id)


def verify_url(cert: Certificate) -> str:
    return url_for("training.verify", token=certificates.token_for(cert), _external=True)


@bp.route("/training/certificates/<int:certificate_id>/pdf")
@requires("manage_training", "learn")  # further: own certificate, or the county managed
def certificate_pdf_download(certificate_id: int):
    cert = db.session.get(Certificate, certificate_id)
    if cert is None or not _may_download(cert):
        abort(404)
    if cert.revoked:  # a page drawn before it was revoked: that page again, the reason in the certificate's row
        refused = Refused(FormKey.certificate(cert.id), f"证书{cert.number}已撤销，不能下载。")
        if cert.trainee.user_id == current_user.id:
            return mine_page(refused)
        return _trainee_page(cert.trainee, refused)
    pdf = certificate_pdf(Printed(
        number=cert.number, check_code=cert.check_code, name=cert.person_name,
        post=training_rules.post_label(cert.person_post), place=cert.place, module=cert.module_title,
        hours=certificates.hours_text(cert.hours_tenths), completed_on=zh(cert.issued_on),
        expires_on=zh(cert.expires_on), issuer=cert.issuer, verify_url=verify_url(cert)),
        size="a5" if request.args.get("size") == "a5" else "a4")
    certificates.download_audit(cert, current_user)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"

    name = quote(f"结业证书-{cert.person_name}-{cert.year}-{cert.serial:06d}.pdf")
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    response.headers["Cache-Control"] = "private, no-store"
    return response
