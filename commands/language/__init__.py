"""The reader's language: gettext catalogs, help texts, Vietnamese money, numbers and dates."""
