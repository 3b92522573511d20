"""Bill documents: PDFs per bill, the print file for the mail vendor, e-mail delivery."""
