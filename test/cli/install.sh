#!/usr/bin/env bash
# Installing greenlight (docs/INSTALL.md): `make install PREFIX=/usr DESTDIR=STAGE` (run against this test's own
# build folder) and `cmake --install BUILD --prefix P` lay out the binary, the man pages, the bash, zsh and fish
# completions, the JSON Schemas and the docs, and nothing else (no test, no fuzzer, no library). The installed
# binary names its version (CMakeLists.txt's), commit and build date and passes its smoke guard; man renders the
# pages without a warning; each shell completes subcommands, options, allowed values and paths; the installed
# scripts and pages are what the installed binary prints. The version script: SOURCE_DATE_EPOCH fixes the date,
# a given commit wins, a tree outside git says "unknown", and an unchanged value leaves the file untouched.
# Usage: install.sh GREENLIGHT_BINARY
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"
build_dir=${GREENLIGHT_BUILD_DIR:-$(dirname "$greenlight")}
export HOME=$work/home LC_ALL=C.UTF-8
mkdir -p "$HOME"
cd "$work" || fail "cd $work"
for tool in make cmake git man groff lexgrog zsh fish; do
    command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install-deps.sh test installs it)"
done

note "make install PREFIX=/usr DESTDIR=STAGE"
# A make of its own: not a sub-make of whatever make started the tests.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$source_dir" install BUILD_DIR="$build_dir" PREFIX=/usr \
    DESTDIR="$work/stage" JOBS=2 >"$work/make.log" 2>&1 || { tail -n 40 "$work/make.log"; fail "make install failed"; }
expect_file "$work/stage/usr/bin/greenlight" "make install: the binary under DESTDIR/PREFIX"
expect_file "$work/stage/usr/share/man/man1/greenlight-run.1" "make install: a man page under DESTDIR/PREFIX"

note "cmake --install BUILD --prefix P"
prefix=$work/prefix
cmake --install "$build_dir" --prefix "$prefix" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "cmake --install failed"; }
installed=$prefix/bin/greenlight
# Under /usr the zsh script also goes where Debian's zsh reads packages' completions.
expect_file "$work/stage/usr/share/zsh/vendor-completions/_greenlight" "make install PREFIX=/usr: zsh's vendor-completions"
expect_absent "$prefix/share/zsh/vendor-completions" "vendor-completions outside /usr"
staged=$(cd "$work/stage/usr" && find . -type f ! -path ./share/zsh/vendor-completions/_greenlight | sort)
[[ $staged == "$(cd "$prefix" && find . -type f | sort)" ]] || fail "make install and cmake --install installed different files"

note "the installed layout, and nothing else"
for file in bin/greenlight share/man/man1/greenlight.1 share/man/man1/greenlight-run.1 \
    share/man/man1/greenlight-bridge-submit.1 share/man/man1/greenlight-completion.1 \
    share/bash-completion/completions/greenlight share/zsh/site-functions/_greenlight \
    share/fish/vendor_completions.d/greenlight.fish share/doc/greenlight/README.md \
    share/doc/greenlight/CHANGELOG.md share/doc/greenlight/LICENSE; do
    expect_file "$prefix/$file" "installed"
done
for schema in "$source_dir"/docs/schemas/*.json; do
    cmp -s "$schema" "$prefix/share/greenlight/schemas/$(basename "$schema")" ||
        fail "share/greenlight/schemas/$(basename "$schema") is not docs/schemas' copy"
done
unexpected=$(cd "$prefix" && find . -type f | sed 's|^\./||' | grep -Ev '^(bin/greenlight|share/man/man1/greenlight(-[a-z-]+)?\.1|share/bash-completion/completions/greenlight|share/zsh/site-functions/_greenlight|share/fish/vendor_completions\.d/greenlight\.fish|share/greenlight/schemas/[a-z0-9.-]+\.json|share/doc/greenlight/(README\.md|CHANGELOG\.md|LICENSE))$')
[[ -z $unexpected ]] || fail "installed files that are not part of greenlight's layout: $unexpected"
[[ -x $installed ]] || fail "$installed is not executable"

note "--version: CMakeLists.txt's version, the commit, the build date"
version=$(sed -nE 's/^project\(greenlight VERSION ([0-9]+\.[0-9]+\.[0-9]+).*/\1/p' "$source_dir/CMakeLists.txt")
[[ -n $version ]] || fail "no version in CMakeLists.txt's project()"
line=$("$installed" --version) || fail "greenlight --version failed"
[[ $line =~ ^greenlight\ $version\ \(commit\ ([0-9a-f]{12}(-dirty)?|unknown),\ built\ [0-9]{4}-[0-9]{2}-[0-9]{2}\)$ ]] ||
    fail "--version printed '$line'"
if [[ $(git -C "$source_dir" rev-parse --show-toplevel 2>/dev/null) -ef $source_dir ]]; then
    head=$(git -C "$source_dir" rev-parse --short=12 HEAD)
    [[ $line == *"commit $head"* ]] || fail "--version names another commit than HEAD ($head): $line"
fi

note "the installed binary passes its smoke guard"
"$installed" smoke -o "$work/smoke" >"$work/smoke.log" 2>&1 || { tail -n 20 "$work/smoke.log"; fail "installed greenlight smoke"; }

note "man renders the pages without warnings"
pages=0
for page in "$prefix"/share/man/man1/*.1; do
    pages=$((pages + 1))
    groff -ww -z -man "$page" 2>"$work/groff.err"
    [[ ! -s $work/groff.err ]] || fail "groff warns on $(basename "$page"): $(head -n 5 "$work/groff.err")"
    lexgrog "$page" >"$work/lexgrog.out" 2>&1 || fail "lexgrog cannot read the NAME section of $(basename "$page")"
    expect_grep "^[^:]+: \"$(basename "$page" .1) - " "$work/lexgrog.out" "the NAME line of $(basename "$page")"
done
"$installed" man-pages -o "$work/pages" >/dev/null || fail "greenlight man-pages"
[[ $pages == "$(find "$work/pages" -name '*.1' | wc -l)" ]] || fail "$pages pages installed; the binary writes a different number"
diff -r "$work/pages" "$prefix/share/man/man1" >/dev/null || fail "the installed pages are not what the installed binary writes"
MANWIDTH=80 man --warnings -l "$prefix/share/man/man1/greenlight-run.1" >"$work/run.txt" 2>"$work/man.err"
[[ ! -s $work/man.err ]] || fail "man warns on greenlight-run.1: $(head -n 5 "$work/man.err")"
for text in 'greenlight-run - Run a tier' '--tier' '-c, --config FILE' 'Default: greenlight.yml' 'GREENLIGHT_TIER' \
    'EXIT STATUS' '130' 'greenlight(1)'; do
    grep -qF -- "$text" "$work/run.txt" || fail "man greenlight-run shows no '$text'"
done
MANWIDTH=80 man --warnings -l "$prefix/share/man/man1/greenlight.1" >"$work/greenlight.txt" 2>"$work/man.err"
[[ ! -s $work/man.err ]] || fail "man warns on greenlight.1: $(head -n 5 "$work/man.err")"
for text in 'greenlight bridge' 'greenlight-bridge(1)' '--version' 'COMMANDS'; do
    grep -qF -- "$text" "$work/greenlight.txt" || fail "man greenlight shows no '$text'"
done

note "the installed completion scripts are what the binary prints"
cmp -s <("$installed" completion bash) "$prefix/share/bash-completion/completions/greenlight" || fail "bash script differs"
cmp -s <("$installed" completion zsh) "$prefix/share/zsh/site-functions/_greenlight" || fail "zsh script differs"
cmp -s <("$installed" completion fish) "$prefix/share/fish/vendor_completions.d/greenlight.fish" || fail "fish script differs"

# A folder to complete paths in: a config file and a folder.
mkdir -p "$work/project/bundles" && touch "$work/project/greenlight.yml" "$work/project/notes.txt"
cd "$work/project" || fail "cd project"

# bash_complete WORD...: what the installed bash completion offers for the last word (one per line, sorted).
bash_complete() {
    bash --norc --noprofile -c '
        source "$1" || exit 1
        shift
        spec=$(complete -p greenlight) || exit 1
        function=${spec#*-F }
        function=${function%% *}
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        "$function" greenlight "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        printf "%s\n" "${COMPREPLY[@]}"' bash "$prefix/share/bash-completion/completions/greenlight" "$@" | sort | tr '\n' ' '
}
expect_bash() {
    local want=$1; shift
    local got
    got=$(bash_complete "$@")
    [[ $got == "$want " ]] || fail "bash completes '$*' to '$got', expected '$want'"
}
note "bash completes subcommands, options, values and paths"
expect_bash "run" greenlight ru
expect_bash "--tier" greenlight run --ti
expect_bash "--tier" greenlight run -c greenlight.yml --ti
expect_bash "submit" greenlight bridge su
expect_bash "add remove" greenlight bridge user ''
expect_bash "commit tree" greenlight gate --stale-on ''
expect_bash "bash fish zsh" greenlight completion ''
expect_bash "greenlight.yml" greenlight run --config gr
expect_bash "greenlight.yml" greenlight run --config = gr
expect_bash "bundles" greenlight smoke --output-dir ''
expect_bash "bundles greenlight.yml notes.txt" greenlight verify ''

note "zsh: the script parses, compinit registers it, and it completes"
zsh -n "$prefix/share/zsh/site-functions/_greenlight" || fail "zsh -n: the zsh script does not parse"
registered=$(zsh -f -c 'fpath=("$1" $fpath); autoload -U compinit; compinit -u -D; print -r -- ${_comps[greenlight]}' \
    zsh "$prefix/share/zsh/site-functions")
[[ $registered == _greenlight ]] || fail "compinit does not register _greenlight for greenlight (got '$registered')"
# zsh_complete LINE WANT: an interactive zsh on a pseudo-terminal offers WANT when tab is pressed after LINE.
zsh_complete() {
    zsh -f -c '
        zmodload zsh/zpty || exit 2
        zpty shell zsh -f -i
        zpty -w shell "PS1=\"> \"; fpath=($1 \$fpath); autoload -U compinit; compinit -u -D; unsetopt beep"
        zpty -n -w shell "$2"$'\''\t'\''
        output=""
        for attempt in {1..200}; do
            while zpty -r -t shell chunk 2>/dev/null; do output+=$chunk; done
            [[ $output == *"$3"* ]] && { zpty -d shell; exit 0; }
            sleep 0.1
        done
        zpty -d shell
        print -r -- "$output"
        exit 1' zsh "$prefix/share/zsh/site-functions" "$1" "$2" >"$work/zsh.out" 2>&1 ||
        fail "zsh does not complete '$1' to '$2': $(tr -d '\033' <"$work/zsh.out" | tail -c 400)"
}
zsh_complete "greenlight run --ti" "--tier"
zsh_complete "greenlight bridge sub" "submit"

note "fish: the script parses and completes"
fish_script=$prefix/share/fish/vendor_completions.d/greenlight.fish
fish --no-execute "$fish_script" || fail "fish -n: the fish script does not parse"
expect_fish() {
    local want=$1 line=$2 got
    # shellcheck disable=SC2016 # fish expands $argv, not bash
    got=$(fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$fish_script" "$line" | cut -f1 | sort | tr '\n' ' ')
    [[ $got == "$want " ]] || fail "fish completes '$line' to '$got', expected '$want'"
}
expect_fish "run" "greenlight ru"
expect_fish "--tier" "greenlight run --ti"
expect_fish "submit" "greenlight bridge su"
expect_fish "commit tree" "greenlight gate --stale-on "
expect_fish "greenlight.yml" "greenlight run --config gr"
expect_fish "bundles/" "greenlight smoke --output-dir "
cd "$work" || fail "cd $work"

note "the version script: SOURCE_DATE_EPOCH, a given commit, outside git, unchanged values"
version_script() {
    cmake -DSOURCE_DIR="$1" -DTEMPLATE="$source_dir/src/greenlight/version.cpp.in" -DOUTPUT="$2" -DVERSION=9.8.7 \
        -DGIT="$(command -v git)" "${@:3}" -P "$source_dir/cmake/version.cmake" || fail "cmake/version.cmake failed"
}
SOURCE_DATE_EPOCH=86400 version_script "$source_dir" "$work/v1.cpp"
expect_grep 'version\(\) \{ return "9\.8\.7"; \}' "$work/v1.cpp" "the version"
expect_grep 'build_date\(\) \{ return "1970-01-02"; \}' "$work/v1.cpp" "the date from SOURCE_DATE_EPOCH"
touch -d '2001-01-01' "$work/v1.cpp"
SOURCE_DATE_EPOCH=86400 version_script "$source_dir" "$work/v1.cpp"
[[ $(stat -c %Y "$work/v1.cpp") == "$(date -d '2001-01-01' +%s)" ]] || fail "an unchanged version.cpp was rewritten (it would recompile)"
SOURCE_DATE_EPOCH=86400 version_script "$source_dir" "$work/v2.cpp" -DCOMMIT=0123456789ab
expect_grep 'build_commit\(\) \{ return "0123456789ab"; \}' "$work/v2.cpp" "a given commit"
mkdir -p "$work/outside-git"
SOURCE_DATE_EPOCH=86400 version_script "$work/outside-git" "$work/v3.cpp"
expect_grep 'build_commit\(\) \{ return "unknown"; \}' "$work/v3.cpp" "a tree outside git"
git init -q "$work/repo" && git -C "$work/repo" -c user.name=t -c user.email=nobody commit -q --allow-empty -m one
mkdir -p "$work/repo/sub"
SOURCE_DATE_EPOCH=86400 version_script "$work/repo/sub" "$work/v4.cpp"
expect_grep 'build_commit\(\) \{ return "unknown"; \}' "$work/v4.cpp" "a folder inside another repository is not its commit"
echo tracked >"$work/repo/file" && git -C "$work/repo" add file &&
    git -C "$work/repo" -c user.name=t -c user.email=nobody commit -q -m two
SOURCE_DATE_EPOCH=86400 version_script "$work/repo" "$work/v5.cpp"
expect_grep "build_commit\\(\\) \\{ return \"$(git -C "$work/repo" rev-parse --short=12 HEAD)\"; \\}" "$work/v5.cpp" "a clean tree"
echo changed >"$work/repo/file"
SOURCE_DATE_EPOCH=86400 version_script "$work/repo" "$work/v5.cpp"
expect_grep 'build_commit\(\) \{ return "[0-9a-f]{12}-dirty"; \}' "$work/v5.cpp" "a tree with changes"

echo "install: ok"
