"""What the books say: stock, cash book, history, the drive at a glance, stock planning, and
what `aid` alone prints."""
