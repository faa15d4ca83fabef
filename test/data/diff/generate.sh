#!/usr/bin/env bash
# Regenerates the diff fixtures in this folder from a throwaway git repository (see README.md).
# Usage: test/data/diff/generate.sh   (needs git and GNU diffutils)
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export LC_ALL=C GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_DATE='2024-01-01T00:00:00Z' GIT_COMMITTER_DATE='2024-01-01T00:00:00Z'
git_() { git -c user.name=t -c user.email=t@example.invalid -c init.defaultBranch=main "$@"; }
diff_() { git_ diff --no-color --no-ext-diff "$@"; }

cd "$work"
git_ init -q repo
cd repo
seq 1 30 | sed 's/^/line /' > numbers.txt
printf 'alpha\nbeta\ngamma\n' > old_name.txt
seq 1 20 | sed 's/^/keep /' > moved.txt
printf 'doomed\nfile\n' > doomed.txt
printf 'run\n' > script.sh
printf '\000\001\002binary\n' > blob.bin
printf 'no newline' > tail.txt
seq 1 40 | sed 's/^/original /' > source.txt
git_ add -A && git_ commit -q -m base

# modify (three hunks) and -U0
sed -i 's/^line 3$/line three/; s/^line 15$/line fifteen\nline fifteen and a half/; s/^line 28$//' numbers.txt
diff_ > "$out/modify.diff"
diff_ -U0 > "$out/modify_u0.diff"
diff_ --no-prefix > "$out/modify_no_prefix.diff"
git_ commit -qam modify

# add, delete, mode change only
printf 'brand\nnew\n' > added.txt
git_ add added.txt
diff_ --cached > "$out/add.diff"
git_ commit -qm add
git_ rm -q doomed.txt
diff_ --cached > "$out/delete.diff"
git_ commit -qm delete
chmod +x script.sh
diff_ > "$out/mode_change.diff"
git_ commit -qam mode

# rename without and with edits
git_ mv old_name.txt new_name.txt
diff_ --cached -M > "$out/rename_pure.diff"
git_ commit -qm rename
git_ mv moved.txt "moved here.txt"
sed -i 's/^keep 10$/changed 10/' "moved here.txt"
git_ add -A
diff_ --cached -M > "$out/rename_edit.diff"
git_ commit -qm rename-edit

# copy (needs --find-copies-harder when the source is unchanged)
cp source.txt copied.txt
echo 'one more' >> copied.txt
git_ add copied.txt
diff_ --cached -C --find-copies-harder > "$out/copy.diff"
git_ commit -qm copy

# binary, without and with --binary
printf '\000\001\003binary changed\n' > blob.bin
diff_ > "$out/binary.diff"
diff_ --binary > "$out/binary_patch.diff"
git_ commit -qam binary

# a quoted unicode path (core.quotepath on, git's default)
printf 'caf\n' > "t$(printf '\303\251')st.txt"
git_ add -A
git_ -c core.quotepath=on diff --no-color --no-ext-diff --cached > "$out/quoted_unicode.diff"
git_ commit -qm unicode

# no newline at end of file, on both sides
printf 'no newline here either' > tail.txt
diff_ > "$out/no_newline.diff"
git_ commit -qam tail

# plain diff -u between two files with fixed times
mkdir -p "$work/plain"
printf 'one\ntwo\nthree\nfour\n' > "$work/plain/before.txt"
printf 'one\n2\nthree\nfour\nfive\n' > "$work/plain/after.txt"
touch -d '2024-01-01 00:00:00 UTC' "$work/plain/before.txt" "$work/plain/after.txt"
(cd "$work/plain" && TZ=UTC diff -u before.txt after.txt > "$out/plain_diff_u.diff" || test $? -eq 1)
