"""Typed text into values: codes, amounts, dates, Vietnamese text, voucher codes."""
