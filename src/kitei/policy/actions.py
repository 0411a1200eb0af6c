"""The canonical action vocabulary every pack regulates (shared/policy-actions.md)."""

from __future__ import annotations

CANONICAL_ACTIONS: dict[str, str] = {
    "asset.take_out": "情報資産・モバイル端末・電磁的記録媒体・ソフトウェアの持ち出し",
    "asset.transport": "情報資産の運搬",
    "asset.provide_external": "情報資産の外部への提供・送付",
    "asset.send": "電子メール等による情報の送信",
    "asset.dispose": "情報資産・記録媒体の廃棄、リース返却",
    "asset.process_outside": "外部での情報処理作業",
    "asset.publish_sns": "ソーシャルメディアでの発信",
    "asset.classify_unclear": "分類が不明な情報資産の分類の判断",
    "device.use_non_designated": "指定端末以外の端末の業務利用",
    "device.change_security_settings": "端末のセキュリティ設定の変更",
    "device.install_software": "端末へのソフトウェアの導入",
    "device.modify_hardware": "機器の改造・増設・交換",
    "device.connect_brought_in": "持ち込み・持ち帰り端末の庁内ネットワークへの接続",
    "equipment.install_offsite": "庁外へのサーバ等の機器の設置",
    "equipment.procure": "機器等の調達",
    "network.connect_external": "外部ネットワークとの接続",
    "system.remote_access": "外部から庁内ネットワーク・情報システムへのアクセス",
    "system.change": "情報システムの開発・設定変更・運用・更新等の作業",
    "system.exchange_with_other_org": "他団体との情報システムに関する情報・ソフトウェアの交換",
    "system.delegate_admin": "管理者権限の代行者の指名",
    "cloud.procure": "外部サービス（クラウドサービス）の調達",
    "cloud.use": "外部サービス（クラウドサービス）の利用開始",
    "webconf.accept_external_invite": "外部からのウェブ会議への招待の受諾",
    "mail.auto_forward": "電子メールの自動転送",
    "exception.request": "例外措置",
    "logs.inspect_usage": "職員等の端末ログ・電子メール送受信記録の調査",
    "account.suspend_violator": "違反者のネットワーク・情報システム利用権の停止",
    "policy.update": "情報セキュリティポリシーの改定",
    "area.enter": "管理区域（情報システム室等）への入室",
}
"""Action id → Japanese title, in the order of policy-actions.md."""

CONTEXT_FLAGS: frozenset[str] = frozenset(
    {"emergency", "external", "minor", "encrypted", "visitor"}
)
"""Context flags every action understands; a pack rule may test any of them."""
