"""The command line: `units import`, `units import-vn`, `users create|token|revoke-token` and
`demo`. Commands run in the default language, Vietnamese; the expected sentences are the
catalog's (app/translations/vi/LC_MESSAGES/messages.po).
"""

import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pytest
import vietnam_provinces
from flask.cli import FlaskGroup
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.db import db, utcnow
from app.units.models import Unit, UnitClosure
from app.users.models import ApiToken, User
from app.users.passwords import verify_password
from app.users.queries import user_by_username
from tests.factories import PASSWORD

HEADER = "code,name,kind,parent_code"


def run(runner, *args: str):
    return runner.invoke(args=list(args))


def write_csv(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "units.csv"
    path.write_text("\n".join((*lines, "")), encoding="utf-8")
    return path


def stored_units() -> dict[str, tuple]:
    """code → (id, name, kind, parent code)."""
    parent = aliased(Unit)
    statement = select(Unit.code, Unit.id, Unit.name, Unit.kind, parent.code).outerjoin(
        parent, Unit.parent_id == parent.id
    )
    return {code: tuple(rest) for code, *rest in db.session.execute(statement)}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def database_state(app) -> tuple:
    with app.app_context():
        return stored_units(), count(UnitClosure), count(User), count(ApiToken)


def signs_in(app, username: str, password: str) -> bool:
    response = app.test_client().post("/login", data={"username": username, "password": password})
    return response.status_code == 302


# units import ----------------------------------------------------------------------------


def test_units_import_prints_the_summary_and_is_idempotent(app, runner, tmp_path):
    path = write_csv(
        tmp_path,
        HEADER,
        "70,Tỉnh Bình Phước,province,",
        "693,Huyện Bù Đốp,district,70",
        "25308,Thị trấn Thanh Bình,commune,693",
    )

    first = run(runner, "units", "import", str(path))
    with app.app_context():
        units = stored_units()
    second = run(runner, "units", "import", str(path))

    assert first.exit_code == 0, first.output
    assert first.stdout == "3 đơn vị: 3 thêm mới, 0 cập nhật, 0 không thay đổi.\n"
    assert {code: values[1:] for code, values in units.items()} == {
        "70": ("Tỉnh Bình Phước", "province", None),
        "693": ("Huyện Bù Đốp", "district", "70"),
        "25308": ("Thị trấn Thanh Bình", "commune", "693"),
    }
    assert second.exit_code == 0, second.output
    assert second.stdout == "3 đơn vị: 0 thêm mới, 0 cập nhật, 3 không thay đổi.\n"
    assert database_state(app)[0] == units


def test_units_import_bad_file_prints_every_problem_and_writes_nothing(
    app, world, runner, tmp_path
):
    path = write_csv(
        tmp_path,
        HEADER + ",households",
        "D3,Huyện Ba (đổi tên),district,P2",  # would rename D3
        "X1,,commune,D1",
        "N1,Xã Mới,commune,D1",  # would be created
        "X2,Xã Hai,commune,D1,nhiều",
    )
    before = database_state(app)

    result = run(runner, "units", "import", str(path))

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Dòng 3: tên đơn vị để trống.",
        "Dòng 5: cột households: “nhiều” không phải là số nguyên.",
        "Error: Chưa nhập dữ liệu nào do có 2 lỗi nêu ở trên.",
    ]
    assert database_state(app) == before


def test_units_import_refuses_a_loop_with_the_database(app, world, runner, tmp_path):
    path = write_csv(tmp_path, HEADER, "P1,Tỉnh Một,province,C11")
    before = database_state(app)

    result = run(runner, "units", "import", str(path))

    assert result.exit_code == 1
    assert "Dòng 2: " in result.stderr
    assert "P1 → C11 → D1 → P1" in result.stderr
    assert database_state(app) == before


# units import-vn -------------------------------------------------------------------------


def current_province(code: int) -> dict:
    """The province as the vietnam-provinces package's own JSON file lists it."""
    with open(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as handle:
        (province,) = [p for p in json.load(handle) if p["code"] == code]
    return province


@pytest.mark.parametrize(
    ("argument", "province_code", "province_name", "commune_count"),
    # commune counts of the 2025 reorganisation: Đồng Nai 23 phường + 72 xã, Hà Nội 51 + 75
    [("75", "75", "Tỉnh Đồng Nai", 95), ("1", "01", "Thành phố Hà Nội", 126)],
    ids=["dong-nai", "ha-noi-zero-padded"],
)
def test_units_import_vn_loads_a_province_and_its_communes_once(
    app, runner, argument, province_code, province_name, commune_count
):
    wards = current_province(int(argument))["wards"]
    assert len(wards) == commune_count
    expected = {province_code: (province_name, "province", None)} | {
        f"{ward['code']:05d}": (ward["name"], "commune", province_code) for ward in wards
    }
    total = len(wards) + 1

    first = run(runner, "units", "import-vn", argument)
    with app.app_context():
        units = stored_units()
        closure_rows = count(UnitClosure)
    second = run(runner, "units", "import-vn", argument)

    assert first.exit_code == 0, first.output
    assert {code: values[1:] for code, values in units.items()} == expected
    assert all(len(code) == 5 for code in units if code != province_code)
    assert closure_rows == 1 + 2 * len(wards)
    assert second.exit_code == 0, second.output
    assert f"{total} đơn vị: 0 thêm mới, 0 cập nhật, {total} không thay đổi." in second.stdout
    assert database_state(app)[0] == units  # same ids


@pytest.mark.parametrize("argument", ["70", "abc", ""], ids=["binh-phuoc-2022", "letters", "empty"])
def test_units_import_vn_unknown_province_exits_1_and_writes_nothing(app, world, runner, argument):
    before = database_state(app)

    result = run(runner, "units", "import-vn", argument)

    assert result.exit_code == 1
    assert f"Không có tỉnh nào mang mã “{argument}” trong danh mục hiện hành." in result.stderr
    assert "75" in result.stderr  # the valid codes are listed
    assert database_state(app) == before


# users create ----------------------------------------------------------------------------


def test_users_create_with_a_password_of_eight_characters_can_sign_in(app, world, runner):
    result = run(
        runner,
        "users",
        "create",
        "Newbie",
        "--role",
        "reporter",
        "--unit",
        "C11",
        "--password",
        "la-chuoi",
        "--full-name",
        "Nguyễn Văn A",
    )

    assert result.exit_code == 0, result.output
    assert result.stdout == "Đã tạo tài khoản newbie (reporter, Xã Đức Trung).\n"
    with app.app_context():
        user = user_by_username("newbie")
        assert (user.role, user.unit.code, user.full_name) == ("reporter", "C11", "Nguyễn Văn A")
        assert not user.must_change_password
    assert signs_in(app, "newbie", "la-chuoi")


@pytest.mark.parametrize(
    ("username", "role", "unit", "password", "message"),
    [
        (
            "newbie",
            "boss",
            "C11",
            PASSWORD,
            "Vai trò “boss” không hợp lệ; các vai trò là admin, manager, reporter, viewer.",
        ),
        ("newbie", "reporter", "ZZ", PASSWORD, "Không có đơn vị nào mang mã “ZZ”."),
        ("Admin", "reporter", "C11", PASSWORD, "Tên đăng nhập “admin” đã được sử dụng."),
        ("newbie", "reporter", "C11", "abc1234", "Mật khẩu phải có ít nhất 8 ký tự."),
        ("ab", "reporter", "C11", PASSWORD, "Tên đăng nhập dài từ 3 đến 64 ký tự"),
    ],
    ids=["unknown-role", "unknown-unit", "taken-case-insensitive", "7-char-password", "short-name"],
)
def test_users_create_refusals_exit_1_and_create_nobody(
    app, world, runner, username, role, unit, password, message
):
    before = database_state(app)

    result = run(
        runner, "users", "create", username, "--role", role, "--unit", unit, "--password", password
    )

    assert result.exit_code == 1
    assert message in result.stderr
    assert database_state(app) == before


def test_users_create_without_password_prints_a_temporary_one(app, world, runner):
    result = run(runner, "users", "create", "newbie", "--role", "viewer", "--unit", "P1")

    assert result.exit_code == 0, result.output
    label, _separator, password = result.stdout.splitlines()[-1].rpartition(": ")
    assert label == "Mật khẩu tạm thời (phải đổi khi đăng nhập lần đầu)"
    assert len(password) >= 8
    with app.app_context():
        user = user_by_username("newbie")
        assert user.must_change_password
        assert verify_password(user.password_hash, password)
    assert signs_in(app, "newbie", password)


# users token / revoke-token --------------------------------------------------------------


def issue_token(runner, *args: str) -> str:
    result = run(runner, "users", "token", *args)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[-1]


def api_status(client, token: str, code: str = "C11") -> int:
    return client.get(
        f"/api/v1/units/{code}", headers={"Authorization": f"Bearer {token}"}
    ).status_code


def test_users_token_works_on_the_api_and_only_its_hash_is_stored(app, world, runner, client):
    token = issue_token(runner, "reporter")

    response = client.get("/api/v1/units/C11", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.get_json()["code"] == "C11"
    with app.app_context():
        (stored,) = db.session.scalars(select(ApiToken)).all()
        assert stored.user_id == world.users["reporter"]
        assert stored.token_hash != token
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert stored.expires_at is None


def test_users_token_days_sets_the_expiry(app, world, runner):
    issue_token(runner, "reporter", "--days", "1")

    with app.app_context():
        expires_at = db.session.scalar(select(ApiToken.expires_at))
    assert abs(expires_at - (utcnow() + timedelta(days=1))) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("nobody", "Không có người dùng nào có tên đăng nhập “nobody”."),
        ("retired", "Tài khoản retired đã bị khóa."),
    ],
    ids=["unknown-user", "deactivated-user"],
)
def test_users_token_refused_exits_1_without_a_token(app, world, runner, username, message):
    result = run(runner, "users", "token", username)

    assert result.exit_code == 1
    assert message in result.stderr
    assert database_state(app)[3] == 0


def test_users_revoke_token_stops_every_token(world, runner, client):
    tokens = [issue_token(runner, "reporter"), issue_token(runner, "reporter")]
    assert [api_status(client, token) for token in tokens] == [200, 200]

    result = run(runner, "users", "revoke-token", "reporter")

    assert result.exit_code == 0, result.output
    assert result.stdout == "Đã thu hồi 2 mã truy cập (token).\n"
    assert [api_status(client, token) for token in tokens] == [401, 401]


def test_users_revoke_token_with_id_stops_only_that_one(app, world, runner, client):
    kept, revoked = issue_token(runner, "reporter"), issue_token(runner, "reporter")
    with app.app_context():
        revoked_id = db.session.scalar(
            select(ApiToken.id).where(
                ApiToken.token_hash == hashlib.sha256(revoked.encode()).hexdigest()
            )
        )

    result = run(runner, "users", "revoke-token", "reporter", "--id", str(revoked_id))

    assert result.exit_code == 0, result.output
    assert (api_status(client, kept), api_status(client, revoked)) == (200, 401)


# demo ------------------------------------------------------------------------------------

# Bình Phước 2022 and its agencies, counted by hand from DESIGN.md §3 and app/data/README.md.
DEMO_KINDS = {"province": 1, "district": 11, "commune": 111, "agency": 18}
DEMO_ROLES = {"admin": "admin", "manager": "manager", "reporter": "reporter", "viewer": "viewer"}


def run_as_flask(runner, *args: str):
    """Through the `flask` command's own group, which pushes the app context for every
    command; `app.cli` only does so for commands it wraps (see the last test)."""
    group = FlaskGroup(load_dotenv=False, set_debug_flag=False)
    return runner.invoke(cli=group, args=list(args))


def demo_state(app) -> tuple:
    with app.app_context():
        kinds = dict(db.session.execute(select(Unit.kind, func.count()).group_by(Unit.kind)).all())
        users = {user.username: (user.id, user.role) for user in db.session.scalars(select(User))}
        return stored_units(), kinds, count(UnitClosure), users


def printed_logins(output: str) -> dict[str, str]:
    """user name → password, from the lines after the "Demo sign-ins" heading."""
    lines = output.splitlines()
    start = lines.index("Tài khoản đăng nhập mẫu (tên đăng nhập, mật khẩu, vai trò, đơn vị):")
    return {line.split()[0]: line.split()[1] for line in lines[start + 1 :]}


def test_demo_loads_binh_phuoc_and_four_users_who_can_sign_in(app, runner):
    result = run_as_flask(runner, "demo")

    assert result.exit_code == 0, result.output
    units, kinds, closure_rows, users = demo_state(app)
    assert kinds == DEMO_KINDS
    assert units["70"][1:] == ("Tỉnh Bình Phước", "province", None)
    assert {values[3] for values in units.values() if values[2] in ("district", "agency")} == {"70"}
    assert {units[values[3]][2] for values in units.values() if values[2] == "commune"} == {
        "district"
    }
    # the province once, districts and agencies with one ancestor, communes with two
    assert closure_rows == 1 + 2 * (11 + 18) + 3 * 111
    assert {name: role for name, (_id, role) in users.items()} == DEMO_ROLES
    logins = printed_logins(result.stdout)
    assert set(logins) == set(DEMO_ROLES)
    assert all(signs_in(app, name, password) for name, password in logins.items())


def test_demo_run_twice_changes_nothing(app, runner):
    first = run_as_flask(runner, "demo")
    state = demo_state(app)

    second = run_as_flask(runner, "demo")

    assert (first.exit_code, second.exit_code) == (0, 0), second.output
    assert "141 đơn vị: 0 thêm mới, 0 cập nhật, 141 không thay đổi." in second.stdout
    assert demo_state(app) == state


def test_demo_if_empty_loads_an_empty_database(app, runner):
    result = run_as_flask(runner, "demo", "--if-empty")

    assert result.exit_code == 0, result.output
    assert demo_state(app)[1] == DEMO_KINDS


def test_demo_if_empty_leaves_a_database_with_units_alone(app, world, runner):
    before = demo_state(app)

    result = run_as_flask(runner, "demo", "--if-empty")

    assert result.exit_code == 0, result.output
    assert "Cơ sở dữ liệu đã có đơn vị; không nạp lại dữ liệu mẫu." in result.stdout
    assert demo_state(app) == before
    assert signs_in(app, "admin", PASSWORD)


def test_demo_runs_through_the_app_test_cli_runner(app, runner):
    result = run(runner, "demo")

    assert result.exit_code == 0, repr(result.exception)
    assert demo_state(app)[1] == DEMO_KINDS
