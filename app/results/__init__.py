"""Result documents (produk layanan) of completed applications and their public verification (/verifikasi)."""
