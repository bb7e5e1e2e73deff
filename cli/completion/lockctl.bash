# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for lockctl(1), the command line of doorlockd.
#
# Completes verbs, sub-verbs, each verb's options, mode names, day names,
# files for backup/restore and the file options, and code names (and
# emergency issuer ids) asked from the daemon with a short timeout.  When
# the daemon is not reachable, or the caller may not read the codes, names
# simply do not complete.  Self-contained: needs bash only (and coreutils'
# timeout when present), not the bash-completion helpers.

# The daemon's answers are read with this many seconds at most.
_lockctl_timeout=2

# Run lockctl (the one being completed) quietly, with a timeout.
_lockctl_query() {
        local cmd=$1
        shift
        if command -v timeout >/dev/null 2>&1; then
                timeout -k 1 "$_lockctl_timeout" "$cmd" "$@" 2>/dev/null </dev/null
        else
                "$cmd" "$@" 2>/dev/null </dev/null
        fi
}

# Undo JSON string escapes (\" \\ \/ \b \f \n \r \t \uXXXX) of $1 into the
# variable named $2.
_lockctl_json_unescape() {
        local s=$1 out='' c i=0
        while ((i < ${#s})); do
                c=${s:i:1}
                if [[ $c != "\\" ]]; then
                        out+=$c
                        ((i++))
                        continue
                fi
                c=${s:i+1:1}
                case $c in
                u)
                        printf -v c '%b' "\\u${s:i+2:4}"
                        out+=$c
                        ((i += 6))
                        continue
                        ;;
                b) out+=$'\b' ;;
                f) out+=$'\f' ;;
                n) out+=$'\n' ;;
                r) out+=$'\r' ;;
                t) out+=$'\t' ;;
                *) out+=$c ;;
                esac
                ((i += 2))
        done
        printf -v "$2" '%s' "$out"
}

# The values of every top-level "KEY":"string" in JSON $1, one array
# element each, into the array named $3.
_lockctl_json_strings() {
        local json=$1 key=$2 re value
        local -n _lockctl_ret=$3
        _lockctl_ret=()
        re="\"$key\":\"(([^\"\\\\]|\\\\.)*)\""
        while [[ $json =~ $re ]]; do
                _lockctl_json_unescape "${BASH_REMATCH[1]}" value
                _lockctl_ret+=("$value")
                json=${json#*"${BASH_REMATCH[0]}"}
        done
}

# Candidates from the array named $1 that start with the (unquoted) word
# $2, shell-quoted, added to COMPREPLY.
_lockctl_add_quoted() {
        local -n _lockctl_list=$1
        local cur=$2 w q
        # What was typed so far, roughly unquoted: "Bob\ S" or 'Bob S.
        cur=${cur//\\/}
        cur=${cur#[\"\']}
        for w in "${_lockctl_list[@]}"; do
                [[ $w == "$cur"* ]] || continue
                printf -v q '%q' "$w"
                COMPREPLY+=("$q")
        done
}

_lockctl_code_names() {
        # shellcheck disable=SC2034 # filled and read through namerefs
        local out names=()
        out=$(_lockctl_query "$1" --json code list) || return 0
        _lockctl_json_strings "$out" name names
        _lockctl_add_quoted names "$2"
}

_lockctl_issuer_ids() {
        local out re='"id":([0-9]+)' ids=()
        out=$(_lockctl_query "$1" --json emergency issuer list) || return 0
        while [[ $out =~ $re ]]; do
                ids+=("${BASH_REMATCH[1]}")
                out=${out#*"${BASH_REMATCH[0]}"}
        done
        _lockctl_compgen -W "${ids[*]}" -- "$2"
}

# Add compgen's words (its arguments) to COMPREPLY, one a line.
_lockctl_compgen() {
        mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen "$@")
}

_lockctl_files() {
        compopt -o filenames 2>/dev/null
        _lockctl_compgen -f -- "$1"
}

_lockctl() {
        local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
        local cmd=${COMP_WORDS[0]}
        local global_opts='-h --help --version --json'
        # Options that take the next word as their value.
        local arg_opts='--for --pin --from --until --days --hours --uses --name --secret-file --time --slot --output -n --lines --since'
        local verbs='status lock unlock mode lockout clock hw code emergency log monitor backup restore'
        local days='mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday daily all weekdays weekends'
        local -a pos=()
        local i w verb='' opts='' subs='' args='' eq=1
        COMPREPLY=()

        # "--opt=value" arrives as "--opt" "=" "value": complete the value.
        if [[ $cur == '=' ]]; then
                cur=''
        elif [[ $prev == '=' ]]; then
                prev=${COMP_WORDS[COMP_CWORD - 2]}
        else
                eq=''
        fi
        [[ $eq && $prev == --random ]] && return 0

        # The words before the cursor that are not options or their values.
        for ((i = 1; i < COMP_CWORD; i++)); do
                w=${COMP_WORDS[i]}
                if [[ $w == '=' ]]; then
                        ((i++))
                        continue
                fi
                if [[ $w == -* ]]; then
                        [[ " $arg_opts " == *" $w "* && ${COMP_WORDS[i + 1]} != '=' ]] && ((i++))
                        continue
                fi
                pos+=("$w")
        done

        # The value of an option.
        case $prev in
        --secret-file | --output)
                _lockctl_files "$cur"
                return 0
                ;;
        --days)
                _lockctl_compgen -W "$days" -- "$cur"
                return 0
                ;;
        --pin)
                _lockctl_compgen -W '-' -- "$cur"
                return 0
                ;;
        --from | --until | --since | --time)
                _lockctl_compgen -W 'now today tomorrow yesterday' -- "$cur"
                return 0
                ;;
        --slot)
                _lockctl_compgen -W '0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15' -- "$cur"
                return 0
                ;;
        --for | --hours | --uses | --name | -n | --lines)
                return 0
                ;;
        esac

        verb=${pos[0]-}
        case $verb in
        '')
                if [[ $cur == -* ]]; then
                        _lockctl_compgen -W "$global_opts" -- "$cur"
                else
                        _lockctl_compgen -W "$verbs" -- "$cur"
                fi
                return 0
                ;;
        status | mode | monitor)
                opts='--help --json'
                [[ $verb == mode && ${#pos[@]} -eq 1 ]] && subs='normal privacy passage'
                ;;
        lock)
                opts='--help'
                ;;
        unlock)
                opts='--help --for'
                ;;
        lockout | clock)
                if ((${#pos[@]} == 1)); then
                        subs='status reset'
                        opts='--help'
                else
                        opts='--help --json'
                fi
                ;;
        hw)
                case ${pos[1]-} in
                '')
                        subs='status test'
                        opts='--help'
                        ;;
                status) opts='--help --json' ;;
                test)
                        opts='--help'
                        ((${#pos[@]} == 2)) && subs='lock unlock buzzer led keypad'
                        ;;
                esac
                ;;
        code)
                case ${pos[1]-} in
                '')
                        subs='list show add edit enable disable remove'
                        opts='--help'
                        ;;
                list) opts='--help --json' ;;
                show)
                        opts='--help --json'
                        ((${#pos[@]} == 2)) && args=codes
                        ;;
                add)
                        opts='--help --pin --random --random= --one-time --from --until --days --hours --uses --duress --json'
                        ;;
                edit)
                        opts='--help --name --enable --disable --from --no-from --until --no-until --days --hours --no-schedule --uses --no-uses'
                        ((${#pos[@]} == 2)) && args=codes
                        ;;
                enable | disable | remove)
                        opts='--help'
                        ((${#pos[@]} == 2)) && args=codes
                        ;;
                esac
                ;;
        emergency)
                case ${pos[1]-} in
                '')
                        subs='issuer'
                        opts='--help --json --offline --secret-file --time --slot'
                        ;;
                issuer)
                        case ${pos[2]-} in
                        '')
                                subs='list add remove'
                                opts='--help'
                                ;;
                        list) opts='--help --json' ;;
                        add) opts='--help --output --json' ;;
                        remove)
                                opts='--help'
                                ((${#pos[@]} == 3)) && args=issuers
                                ;;
                        esac
                        ;;
                esac
                ;;
        log)
                opts='--help -n --lines --since -f --follow --json'
                ;;
        backup)
                opts='--help --json'
                ((${#pos[@]} == 1)) && args=files
                ;;
        restore)
                opts='--help --force --json'
                ((${#pos[@]} == 1)) && args=files
                ;;
        *)
                return 0
                ;;
        esac

        if [[ $cur == -* ]]; then
                _lockctl_compgen -W "$opts" -- "$cur"
                ((${#COMPREPLY[@]} == 1)) && [[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
                return 0
        fi
        _lockctl_compgen -W "$subs" -- "$cur"
        case $args in
        codes) _lockctl_code_names "$cmd" "$cur" ;;
        issuers) _lockctl_issuer_ids "$cmd" "$cur" ;;
        files) _lockctl_files "$cur" ;;
        esac
        return 0
}

complete -F _lockctl lockctl
