"""Understanding customers' replies in Indonesian and English: pure, no I/O, no clock."""
