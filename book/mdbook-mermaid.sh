#!/usr/bin/env bash
# The mermaid preprocessor as book.toml calls it: mdbook-mermaid, with two
# differences that keep `mdbook build` and `mdbook serve` quiet and working:
#   - it is found in ~/.cargo/bin (where lab/setup.sh installs it) even when
#     that folder is not on PATH;
#   - its note "built against version 0.5.0 of mdbook, but we're being called
#     from version 0.5.4" is dropped: every mdBook 0.5 release speaks the same
#     preprocessor protocol, so the note is no warning for this book.
# Everything else it prints, and its exit status, pass through.
export PATH="$HOME/.cargo/bin:$PATH"
exec 3>&1
mdbook-mermaid "$@" 2>&1 1>&3 3>&- |
  { grep -v "^Warning: The mdbook-mermaid preprocessor was built against version" >&2 || true; }
exit "${PIPESTATUS[0]}"
