"""kitei (規程): operate a Japanese public body's 情報セキュリティポリシー as code."""

__version__ = "0.1.0"
