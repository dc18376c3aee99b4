"""Evidence files: the type judged by the first bytes, the size limit at its threshold, storage
outside static/ under random names, no orphan file when the database write fails, and who may
download a file (404 unknown, 403 out of scope) with safe headers."""

import hashlib
import io
import re
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select

from app.db import db
from app.units.queries import unit_by_code
from app.users.models import User
from campaigns.models import Campaign, CampaignStatus
from campaigns.tasks import evidence
from campaigns.tasks.evidence import EvidenceError, Upload, check_upload, read_upload
from campaigns.tasks.models import EvidenceFile, TaskAssignment, TaskUpdate
from campaigns.tasks.operations import TaskError
from campaigns.tasks.rules import JPEG, PDF, PNG, WEBP, download_name, sniff_content_type
from tests.factories import make_campaign, make_report, make_task, pdf_bytes, png_bytes

JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
WEBP_HEAD = b"RIFF\x24\x00\x00\x00WEBPVP8 "
LIMIT = 1000  # EVIDENCE_MAX_BYTES in the page tests, so sizes stay small


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def stored_files(app: Flask) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "evidence"
    return sorted(folder.iterdir()) if folder.exists() else []


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def padded(data: bytes, size: int) -> bytes:
    """The file's bytes followed by zeros up to `size` (its type stays what its head says)."""
    return data + b"\x00" * (size - len(data))


@pytest.fixture
def english_context(app: Flask):
    with app.app_context(), force_locale("en"):
        yield


@pytest.fixture
def task_id(app: Flask, world) -> int:
    """Task of campaign TASKS (P1) given to C11 and D2."""
    app.config["EVIDENCE_MAX_BYTES"] = LIMIT
    with app.app_context():
        campaign = make_campaign("TASKS", "P1", status=CampaignStatus.ACTIVE)
        task = make_task(campaign, "Hội nghị tuyên truyền", ("C11", "D2"))
        db.session.commit()
        return task.id


def assignment(task_id: int, unit_code: str) -> TaskAssignment:
    return db.session.scalar(
        select(TaskAssignment).where(
            TaskAssignment.task_id == task_id,
            TaskAssignment.unit_id == unit_by_code(unit_code).id,
        )
    )


def post_files(client, task_id: int, files, unit: str = "C11", **data):
    return client.post(
        f"/campaigns/TASKS/tasks/{task_id}/units/{unit}/updates",
        data={"status": "in_progress", **data, "files": files},
        content_type="multipart/form-data",
    )


# The checks, as pure functions -------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (JPEG_HEAD, JPEG),
        (png_bytes()[:12], PNG),
        (WEBP_HEAD, WEBP),
        (pdf_bytes()[:12], PDF),
        (b"Hello, world", None),
        (b"<svg xmlns=", None),  # SVG can carry scripts: not accepted
        (b"GIF89a\x01\x00", None),
        (b"RIFF\x24\x00\x00\x00WAVE", None),  # RIFF but not WebP
        (b"\x89PNG\r\n", None),  # a truncated signature
        (b"", None),
    ],
)
def test_the_type_comes_from_the_first_bytes(head, expected):
    assert sniff_content_type(head) == expected


@pytest.mark.parametrize(
    ("size", "accepted"), [(LIMIT - 1, True), (LIMIT, True), (LIMIT + 1, False)]
)
def test_the_size_limit_at_its_threshold(english_context, size, accepted):
    upload = Upload("anh.png", padded(png_bytes(), size))
    if accepted:
        assert check_upload(upload, LIMIT).size == size
    else:
        with pytest.raises(EvidenceError, match="larger than 1000 B"):
            check_upload(upload, LIMIT)


def test_an_empty_file_is_refused(english_context):
    with pytest.raises(EvidenceError, match=re.escape("The file “anh.png” is empty.")):
        check_upload(Upload("anh.png", b""), LIMIT)


def test_a_text_file_named_jpg_is_refused(english_context):
    with pytest.raises(EvidenceError, match="not a JPEG, PNG or WebP photo or a PDF"):
        check_upload(Upload("anh.jpg", b"Day la van ban, khong phai anh."), LIMIT)


def test_an_accepted_file_carries_its_real_type_and_hash():
    data = pdf_bytes()
    checked = check_upload(Upload("bien-ban.png", data), LIMIT)

    assert checked.content_type == PDF  # whatever the name says
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


def test_reading_stops_one_byte_past_the_limit():
    stream = io.BytesIO(b"x" * (LIMIT * 5))
    upload = read_upload(stream, "to.png", LIMIT)
    assert len(upload.data) == LIMIT + 1


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("C:\\Users\\An\\ảnh hội nghị.jpg", "ảnh hội nghị.jpg"),
        ("a\x00b\r\n.png", "ab.png"),
        ("", "evidence"),
        ("x" * 300 + ".jpeg", "x" * 250 + ".jpeg"),
    ],
)
def test_the_senders_name_is_cleaned(sent, kept):
    assert evidence.clean_name(sent) == kept


@pytest.mark.parametrize(
    ("name", "content_type", "offered"),
    [
        ("anh.jpg", JPEG, "anh.jpg"),
        ("anh.JPEG", JPEG, "anh.JPEG"),
        ("bien-ban.png", PDF, "bien-ban.png.pdf"),
        ("anh", PNG, "anh.png"),
    ],
)
def test_the_download_name_has_the_real_extension(name, content_type, offered):
    assert download_name(name, content_type) == offered


def test_stored_names_are_never_paths():
    with pytest.raises(ValueError):
        evidence.stored_path("/tmp/uploads", "../secret")


# Uploading on the page ---------------------------------------------------------------------


def test_a_tiny_png_and_pdf_are_stored_under_random_names(app, task_id, login):
    png, pdf = png_bytes(), pdf_bytes()

    response = post_files(
        login("reporter"),
        task_id,
        [(io.BytesIO(png), "ảnh hội nghị.png", "image/png"), (io.BytesIO(pdf), "bien-ban.pdf")],
        note="Hội nghị ngày 15/6",
    )

    assert response.status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)).all()
        assert [
            (row.original_name, row.content_type, row.size_bytes, row.sha256) for row in rows
        ] == [
            ("ảnh hội nghị.png", PNG, len(png), hashlib.sha256(png).hexdigest()),
            ("bien-ban.pdf", PDF, len(pdf), hashlib.sha256(pdf).hexdigest()),
        ]
        names = [row.stored_name for row in rows]
    files = stored_files(app)
    assert [path.name for path in files] == sorted(names)
    assert all(re.fullmatch(r"[0-9a-f]{32}", name) for name in names)
    assert sorted(path.read_bytes() for path in files) == sorted([png, pdf])
    assert "static" not in str(files[0])


def test_the_browsers_content_type_is_not_trusted(app, task_id, login):
    # PNG bytes sent as text, and a text file sent as a JPEG photo.
    accepted = post_files(
        login("reporter"), task_id, [(io.BytesIO(png_bytes()), "anh.txt", "text/plain")]
    )
    refused = post_files(
        login("reporter"), task_id, [(io.BytesIO(b"khong phai anh"), "anh.jpg", "image/jpeg")]
    )

    assert accepted.status_code == 302
    assert refused.status_code == 422
    with app.app_context():
        assert [row.content_type for row in db.session.scalars(select(EvidenceFile))] == [PNG]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("anh.jpg", b"Day la van ban, khong phai anh.", "is not a JPEG, PNG or WebP photo"),
        ("anh.png", b"", "is empty"),
        ("anh.png", padded(png_bytes(), LIMIT + 1), "is larger than 1000 B"),
    ],
)
def test_a_refused_file_stores_nothing(app, task_id, login, name, data, message):
    client = login("reporter")
    assert client.get("/language/en").status_code == 302

    response = post_files(
        client,
        task_id,
        [(io.BytesIO(png_bytes()), "good.png"), (io.BytesIO(data), name)],
        status="done",
        note="Xong",
    )

    assert response.status_code == 422
    assert f"The file “{name}” {message}" in text(response)
    assert stored_files(app) == []
    with app.app_context():
        assert (count(EvidenceFile), count(TaskUpdate)) == (0, 0)
        assert assignment(task_id, "C11").status == "todo"


def test_a_file_at_the_limit_is_accepted_on_the_page(app, task_id, login):
    response = post_files(
        login("reporter"), task_id, [(io.BytesIO(padded(png_bytes(), LIMIT)), "anh.png")]
    )
    assert response.status_code == 302
    assert [path.stat().st_size for path in stored_files(app)] == [LIMIT]


def test_at_most_ten_files_per_report(app, task_id, login):
    files = [(io.BytesIO(png_bytes()), f"anh{n}.png") for n in range(11)]
    response = post_files(login("reporter"), task_id, files)

    assert response.status_code == 422
    assert stored_files(app) == []


# No orphan file ----------------------------------------------------------------------------


def reporter_and_assignment(task_id: int):
    reporter = db.session.scalar(select(User).where(User.username == "reporter"))
    return reporter, assignment(task_id, "C11")


def test_a_failed_flush_leaves_no_file(app, task_id, monkeypatch):
    with app.app_context():
        reporter, row = reporter_and_assignment(task_id)

        def broken_flush(*args, **kwargs):
            raise RuntimeError("database unavailable")

        monkeypatch.setattr(db.session, "flush", broken_flush)
        with pytest.raises(RuntimeError):
            make_report(row, by=reporter, files=[("anh.png", png_bytes())])

        assert stored_files(app) == []


def test_a_rolled_back_report_leaves_no_file_and_a_committed_one_keeps_it(app, task_id):
    with app.app_context():
        reporter, row = reporter_and_assignment(task_id)
        make_report(row, by=reporter, files=[("anh.png", png_bytes())])
        assert len(stored_files(app)) == 1  # written before the commit

        db.session.rollback()

        assert stored_files(app) == []
    with app.app_context():
        reporter, row = reporter_and_assignment(task_id)
        make_report(row, by=reporter, files=[("anh.png", png_bytes())])
        db.session.commit()
    with app.app_context():
        db.session.rollback()  # a later transaction's rollback leaves committed files alone
        assert len(stored_files(app)) == 1
        assert count(EvidenceFile) == 1


def test_a_savepoint_does_not_end_the_files_transaction(app, task_id):
    with app.app_context():
        reporter, row = reporter_and_assignment(task_id)
        make_report(row, by=reporter, files=[("anh.png", png_bytes())])
        with db.session.begin_nested():
            pass  # e.g. a forward in the same request
        assert len(stored_files(app)) == 1
        db.session.rollback()
        assert stored_files(app) == []


def test_a_refused_request_after_the_write_removes_the_file(app, task_id):
    """The boundary rolls back any answer >= 400; files written in it go too."""
    with app.test_request_context(), app.app_context():
        reporter, row = reporter_and_assignment(task_id)
        make_report(row, by=reporter, files=[("anh.png", png_bytes())])
        from app.db import commit_or_rollback

        commit_or_rollback(app.response_class(status=422))
        assert stored_files(app) == []


def test_the_operation_checks_every_file_before_writing_any(app, task_id, english_context):
    reporter, row = reporter_and_assignment(task_id)
    with pytest.raises(TaskError, match=re.escape("anh2.jpg")):
        make_report(
            row,
            by=reporter,
            files=[("anh1.png", png_bytes()), ("anh2.jpg", b"text"), ("anh3.png", png_bytes())],
        )
    assert stored_files(app) == []


# Downloading -------------------------------------------------------------------------------


@pytest.fixture
def files(app: Flask, task_id: int) -> dict[str, int]:
    """A PNG on C11's assignment and a PDF on D2's."""
    with app.app_context():
        reporter, c11 = reporter_and_assignment(task_id)
        png = make_report(c11, by=reporter, files=[("ảnh hội nghị.png", png_bytes())])
        pdf = make_report(assignment(task_id, "D2"), files=[("bien-ban.png", pdf_bytes())])
        db.session.commit()
        return {"png": png.files[0].id, "pdf": pdf.files[0].id}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("reporter", 200),  # the owner unit's reporter
        ("manager", 200),  # its district's manager
        ("admin", 200),
        ("viewer", 200),
        ("reporter2", 403),  # a reporter of another commune
        ("admin2", 403),  # the admin of another province
    ],
)
def test_who_may_download_evidence(app, files, login, username, expected):
    response = login(username).get(f"/campaigns/TASKS/tasks/evidence/{files['png']}")

    body = response.get_data()
    response.close()

    assert response.status_code == expected
    if expected == 200:
        assert body == png_bytes()


def test_unknown_evidence_is_404(app, files, login):
    with app.app_context():
        other = make_campaign("OTHER", "P1", status=CampaignStatus.ACTIVE)
        db.session.commit()
        assert db.session.get(Campaign, other.id)
    client = login("admin")

    assert client.get("/campaigns/TASKS/tasks/evidence/99999").status_code == 404
    # a file of TASKS asked for through another campaign
    assert client.get(f"/campaigns/OTHER/tasks/evidence/{files['png']}").status_code == 404


def test_a_file_missing_from_storage_is_404(app, files, login):
    for path in stored_files(app):
        path.unlink()
    assert login("admin").get(f"/campaigns/TASKS/tasks/evidence/{files['png']}").status_code == 404


def test_images_are_shown_inline_and_pdfs_downloaded_with_safe_headers(app, files, login):
    client = login("manager")

    image = client.get(f"/campaigns/TASKS/tasks/evidence/{files['png']}")
    document = login("admin").get(f"/campaigns/TASKS/tasks/evidence/{files['pdf']}")
    image.close()
    document.close()

    assert image.headers["Content-Type"] == "image/png"
    assert image.headers["Content-Disposition"].startswith("inline;")
    assert (
        "filename*=UTF-8''%E1%BA%A3nh%20h%E1%BB%99i%20ngh%E1%BB%8B.png"
        in (image.headers["Content-Disposition"])
    )
    assert document.headers["Content-Type"] == "application/pdf"
    assert document.headers["Content-Disposition"].startswith("attachment;")
    assert "filename=bien-ban.png.pdf" in document.headers["Content-Disposition"]
    for response in (image, document):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert "private" in response.headers["Cache-Control"]


def test_the_assignment_page_lists_the_files_of_each_report(app, files, login):
    html = login("reporter").get(f"/campaigns/TASKS/tasks/{_task_of(app, files)}/units/C11")
    page = html.get_data(as_text=True)

    assert f'src="/campaigns/TASKS/tasks/evidence/{files["png"]}"' in page
    assert "ảnh hội nghị.png" in page
    assert f"/campaigns/TASKS/tasks/evidence/{files['pdf']}" not in page  # D2's, not shown here


def _task_of(app: Flask, files: dict[str, int]) -> int:
    with app.app_context():
        return db.session.get(EvidenceFile, files["png"]).update.assignment.task_id
