"""The households: the register (danh sách) and its privacy, distribution rounds, the 0 đồng
shop's vouchers, and the papers printed for them."""
