# The step of the bridge_run.sh jobs: sh run.sh STEP MODE ATTEMPT
# Prints two paragraphs of 80+ words (two snippets per step), then acts by MODE:
#   ok; fail (exit 4: CC 0004); segv (ends by SIGSEGV: an abend);
#   stall (sleeps past any stall limit); stall-first (sleeps on attempt 1 only).
# Step 2 writes the script artifact to $DD_SCRIPT.
step=$1
mode=$2
attempt=$3
paragraph() {
    words=""
    i=0
    while [ "$i" -lt "$1" ]; do
        words="$words $2$i"
        i=$((i + 1))
    done
    echo "$words"
}
echo "step $step of attempt $attempt, scenario:"
head -c 60 "$DD_SCENARIO"
echo
paragraph 90 frame
echo
paragraph 85 check
case $mode in
    fail) exit 4 ;;
    segv) kill -SEGV $$ ;;
    stall) sleep 60 ;;
    stall-first) if [ "$attempt" = 1 ]; then sleep 60; fi ;;
esac
if [ "$step" = 2 ]; then
    printf '{"frames": [{"n": 1}, {"n": 2}]}\n' >"$DD_SCRIPT"
fi
exit 0
