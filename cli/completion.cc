// `kvstore completion bash`: a bash completion script made from the
// command table (Commands()) and the flag table (KnownFlags()), so that it
// completes exactly the commands and flags `--help` describes.
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "cli/command.h"
#include "cli/commands.h"
#include "cli/flags.h"

namespace kvstore {
namespace cli {
namespace {

bool TakesValue(absl::string_view name) {
  for (const FlagSpec& flag : KnownFlags()) {
    if (flag.name == name) return flag.takes_value;
  }
  return false;
}

// "--name=" for a flag that takes a value, "--name" for a boolean one.
std::string FlagWord(absl::string_view name) {
  return absl::StrCat("--", name, TakesValue(name) ? "=" : "");
}

// The script, with @VALUE_FLAGS@ (the flags that take a value, as a case
// pattern), @FLAG_CASES@ (each command's flags) and @COMMANDS@ (every
// command) filled in by BashCompletion.
constexpr absl::string_view kScript = R"sh(# bash completion for kvstore.
# Made by 'kvstore completion bash' from the tool's command table; install
# it as /usr/share/bash-completion/completions/kvstore, or source it.

# Store names: the objects in /dev/shm, without POSIX semaphores and the
# tool's temporary stores.
_kvstore_stores() {
  local f
  for f in /dev/shm/*; do
    [[ -f $f ]] || continue
    f=${f#/dev/shm/}
    case $f in sem.* | .kvstore-tmp-*) continue ;; esac
    printf '/%s\n' "$f"
  done
}

# Sets COMPREPLY to the values of flag $1 (without dashes) that start
# with $2.
_kvstore_values() {
  case $1 in
    store) COMPREPLY=($(compgen -W "$(_kvstore_stores)" -- "$2")) ;;
    type) COMPREPLY=($(compgen -W 'string bytes int64 double bool' -- "$2")) ;;
    eviction) COMPREPLY=($(compgen -W 'none clock' -- "$2")) ;;
    *) COMPREPLY=() ;;
  esac
}

_kvstore() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev= word command= flag= i
  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
  # The command: the first word that is neither a flag nor a flag's value
  # ('--flag=VALUE' is three words where '=' breaks words).
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    case $word in
      @VALUE_FLAGS@)
        [[ ${COMP_WORDS[i + 1]} == = ]] || ((i++))  # '--flag VALUE'.
        ;;
      = | -*) ;;
      *)
        [[ ${COMP_WORDS[i - 1]} == = ]] && continue
        command=$word
        break
        ;;
    esac
  done

  # A flag's value.
  if [[ $cur == = ]]; then
    flag=$prev
    cur=
  elif [[ $prev == = ]] && ((COMP_CWORD >= 2)); then
    flag=${COMP_WORDS[COMP_CWORD - 2]}
  elif [[ $cur == --*=* ]]; then
    flag=${cur%%=*}
    _kvstore_values "${flag#--}" "${cur#*=}"
    COMPREPLY=("${COMPREPLY[@]/#/$flag=}")
    return
  else
    case $prev in
      @VALUE_FLAGS@) flag=$prev ;;
    esac
  fi
  if [[ -n $flag ]]; then
    _kvstore_values "${flag#--}" "$cur"
    return
  fi

  if [[ $cur == -* ]]; then
    local flags
    case $command in
      '') flags='--store= --redis= --help --version' ;;
@FLAG_CASES@    esac
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    if [[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *= ]]; then
      compopt -o nospace 2>/dev/null
    fi
    return
  fi

  case $command in
    '' | help) COMPREPLY=($(compgen -W '@COMMANDS@' -- "$cur")) ;;
    completion) COMPREPLY=($(compgen -W 'bash' -- "$cur")) ;;
    dump | restore) COMPREPLY=($(compgen -f -- "$cur")) ;;
    *) COMPREPLY=() ;;
  esac
}

complete -F _kvstore kvstore
)sh";

}  // namespace

std::string BashCompletion() {
  std::vector<std::string> names;
  std::set<std::string> value_flags = {"--store"};
  std::string flag_cases;
  for (const CommandSpec& spec : Commands()) {
    names.emplace_back(spec.name);
    std::vector<std::string> words;
    for (absl::string_view flag : spec.flags) {
      if (TakesValue(flag)) value_flags.insert(absl::StrCat("--", flag));
      words.push_back(FlagWord(flag));
    }
    words.push_back("--store=");
    words.push_back("--help");
    absl::StrAppend(&flag_cases, "      ", spec.name, ") flags='",
                    absl::StrJoin(words, " "), "' ;;\n");
  }
  return absl::StrReplaceAll(
      kScript, {{"@VALUE_FLAGS@", absl::StrJoin(value_flags, " | ")},
                {"@FLAG_CASES@", flag_cases},
                {"@COMMANDS@", absl::StrJoin(names, " ")}});
}

int RunCompletion(const CommandContext& ctx) {
  if (ctx.args[0] != "bash") {
    return UsageError(ctx, absl::StrCat("no completion for shell '",
                                        ctx.args[0], "' (only bash)"));
  }
  *ctx.out << BashCompletion();
  return kExitOk;
}

}  // namespace cli
}  // namespace kvstore
