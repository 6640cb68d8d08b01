"""Bank accounts of a drive: the Vietnamese banks, VietQR codes and statement imports (issue 25)."""
