"""The JSON API of kitei: `/api/assets`, `/api/systems`; OpenAPI at `/api/docs`.

Every operation authenticates with `Authorization: Bearer <token>` (`kitei token create`)
and acts as the token's user, inside the token's organisation only, while the user's
membership there is valid. The docs page and the schema need a logged-in user in production
(not DEBUG). The docs page uses
the Swagger UI files that django-ninja ships (served as our static files): no CDN.
"""

from __future__ import annotations

from ninja import NinjaAPI, Swagger

from kitei.api import assets, systems
from kitei.approvals import api as approvals_api
from kitei.audits import api as audits_api
from kitei.core.api import errors
from kitei.core.api.auth import TokenAuth, docs_login_required
from kitei.corrective import api as corrective_api
from kitei.duties import api as duties_api
from kitei.incidents import api as incidents_api
from kitei.inspections import api as inspections_api
from kitei.records import api as records_api

DESCRIPTION = """\
情報資産台帳と情報システム台帳の API です。

- 認証: `Authorization: Bearer <token>`（トークンは
  `kitei token create --user USERNAME [--org SLUG]` で発行）。トークンはアカウントと組織の組です。
- トークンの組織のデータだけを扱います。他の組織の id は 404 になります。その組織での所属期間が
  終了している（または始まっていない）ときは 403（`membership_lapsed`）です。
- トークンには有効期限があります（組織の定める期間、なければ kitei の既定値 90 日）。仮パスワードの
  ままの利用者、必須の二要素認証（TOTP）を設定していない利用者のトークンは 403
  （`password_change_required`・`mfa_required`）です。
- エラーは `{"detail": 理由, "code": 種別, "errors": [項目ごとの理由]}` で返します（不正な id や
  存在しないパスも JSON の 404）。
"""

api = NinjaAPI(
    title="kitei API",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    urls_namespace="api",
    docs=Swagger(settings={"validatorUrl": None}),  # no badge fetched from swagger.io
    docs_decorator=docs_login_required,  # in production, only people who may log in read it
)
errors.install(api)
api.add_router("/assets", assets.router)
api.add_router("/systems", systems.router)
api.add_router("/requests", approvals_api.router)
api.add_router("/records", records_api.router)
api.add_router("/duties", duties_api.router)
api.add_router("/corrective", corrective_api.router)
api.add_router("/audits", audits_api.audits_router)
api.add_router("/findings", audits_api.findings_router)
api.add_router("/incidents", incidents_api.router)
api.add_router("/inspections", inspections_api.router)
