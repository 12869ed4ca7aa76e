#!/bin/bash
# Checks systemd/60-assayd-instruments.rules.
#   - With `udevadm verify` (systemd >= 253) the rules go through udev's own parser.
#   - Always (systemd 252 has no `udevadm verify`): a syntax check of every rule line written
#     here against udev(7) - comma-separated KEY[{attr}]OP"value" tokens, known keys, match
#     operators only on match keys, assignment operators only on assignment keys, every GOTO
#     has its LABEL - and the content: each supported instrument (BMG CLARIOstar over FTDI,
#     0403:bb68) gets GROUP="assayd-instruments" MODE="0660", the group is one sysusers creates,
#     and access is group-based (no uaccess tag: the daemon has no seat).
# Usage: udev_rules.sh RULES_FILE SYSUSERS_FILE
set -uo pipefail

rules=$1
sysusers=$2
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok:   $*"; }

[ -r "$rules" ] || { echo "FAIL: cannot read $rules"; exit 1; }

if udevadm verify --help >/dev/null 2>&1; then
    if udevadm verify --resolve-names=never "$rules"; then
        pass "udevadm verify accepts $rules"
    else
        fail "udevadm verify rejects $rules"
    fi
else
    echo "note: udevadm verify is not available (systemd < 253 or udev not installed);"
    echo "      using the built-in syntax check only"
fi

match_keys='ACTION|DEVPATH|KERNEL|KERNELS|NAME|SYMLINK|SUBSYSTEM|SUBSYSTEMS|DRIVER|DRIVERS|ATTR|ATTRS|SYSCTL|ENV|CONST|TAG|TAGS|TEST|PROGRAM|RESULT'
assign_keys='NAME|SYMLINK|OWNER|GROUP|MODE|SECLABEL|ATTR|SYSCTL|ENV|TAG|RUN|LABEL|GOTO|IMPORT|OPTIONS'
token_re='^[[:space:]]*([A-Z]+)(\{[^}]+\})?[[:space:]]*(==|!=|\+=|-=|:=|=)[[:space:]]*"([^"]*)"[[:space:]]*$'

declare -A labels=() gotos=()
rule_count=0
number=0
logical=""
while IFS= read -r line || [ -n "$line" ]; do
    number=$((number + 1))
    if [[ $line == *\\ ]]; then logical+="${line%\\}"; continue; fi
    logical+=$line
    text=$logical
    logical=""
    [[ $text =~ ^[[:space:]]*(#|$) ]] && continue
    rule_count=$((rule_count + 1))
    # Split on commas outside double quotes.
    tokens=()
    current=""
    quoted=0
    for ((i = 0; i < ${#text}; i++)); do
        c=${text:i:1}
        if [ "$c" = '"' ]; then quoted=$((1 - quoted)); fi
        if [ "$c" = , ] && [ $quoted -eq 0 ]; then tokens+=("$current"); current=""; else current+=$c; fi
    done
    tokens+=("$current")
    [ $quoted -eq 0 ] || fail "line $number: unbalanced double quote"
    for token in "${tokens[@]}"; do
        if ! [[ $token =~ $token_re ]]; then
            fail "line $number: '$token' is not KEY[{attr}]OP\"value\""
            continue
        fi
        key=${BASH_REMATCH[1]} attr=${BASH_REMATCH[2]} op=${BASH_REMATCH[3]} value=${BASH_REMATCH[4]}
        if [ "$op" = "==" ] || [ "$op" = "!=" ]; then
            [[ $key =~ ^($match_keys)$ ]] || fail "line $number: $key cannot be matched with $op"
        else
            [[ $key =~ ^($assign_keys)$ ]] || fail "line $number: $key cannot be assigned with $op"
        fi
        case $key in
            ATTR | ATTRS | ENV | SYSCTL | TEST | IMPORT) [ -n "$attr" ] || [ "$key" = TEST ] ||
                fail "line $number: $key needs {name}" ;;
            *) [ -z "$attr" ] || fail "line $number: $key takes no {attribute}" ;;
        esac
        [ "$key" = LABEL ] && labels[$value]=$number
        [ "$key" = GOTO ] && gotos[$value]=$number
        [ "$key" = MODE ] && ! [[ $value =~ ^0[0-7]{3}$ ]] && fail "line $number: MODE \"$value\" is not octal like 0660"
        if [ "$key" = ATTR ] && { [ "$attr" = "{idVendor}" ] || [ "$attr" = "{idProduct}" ]; }; then
            [[ $value =~ ^[0-9a-f]{4}$ ]] || fail "line $number: $attr \"$value\" is not 4 lower-case hex digits"
        fi
        [ "$key" = TAG ] && [ "$value" = uaccess ] && fail "line $number: uaccess tag; access must be group-based"
    done
done <"$rules"
[ -z "$logical" ] || fail "file ends inside a continued line"
for target in "${!gotos[@]}"; do
    [ -n "${labels[$target]:-}" ] || fail "line ${gotos[$target]}: GOTO=\"$target\" has no LABEL"
done
[ "$rule_count" -gt 0 ] && pass "$rule_count rule lines checked" || fail "no rule lines"

# Content: the supported instruments, and a group that exists.
supported=("0403:bb68:BMG CLARIOstar (FTDI)")
for entry in "${supported[@]}"; do
    vid=${entry%%:*} rest=${entry#*:} pid=${rest%%:*} name=${rest#*:}
    line=$(grep -v '^[[:space:]]*#' "$rules" | grep "ATTR{idVendor}==\"$vid\"" | grep "ATTR{idProduct}==\"$pid\"")
    if [ -n "$line" ] && grep -q 'GROUP="assayd-instruments"' <<<"$line" && grep -q 'MODE="0660"' <<<"$line"; then
        pass "$name $vid:$pid gets group assayd-instruments, mode 0660"
    else
        fail "$name $vid:$pid has no rule giving group assayd-instruments mode 0660"
    fi
done
grep -Eq '^[[:space:]]*g[[:space:]]+assayd-instruments[[:space:]]' "$sysusers" &&
    pass "group assayd-instruments is created by sysusers" || fail "sysusers does not create assayd-instruments"
grep -q '^#.*lsusb' "$rules" && grep -q '^#.*udevadm trigger' "$rules" &&
    pass "a comment shows how to add an instrument" || fail "no comment on adding an instrument"
# The rules must only act on USB devices being added or changed.
grep -q 'SUBSYSTEM!="usb", GOTO="assayd_instruments_end"' "$rules" &&
    pass "rules are confined to the usb subsystem" || fail "rules are not confined to SUBSYSTEM usb"

if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "udev rules checks passed"
