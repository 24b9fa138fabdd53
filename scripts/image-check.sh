#!/usr/bin/env bash
# Checks the container image without Docker (there is no engine on our machines or in CI).
#
# Builds the Dockerfile's stages as directories by following the Dockerfile itself: its COPY
# lines (sources from the checkout, or --from an earlier stage's directory; /app is the stage's
# directory) and the npm commands of its RUN lines (npm ci with --prefer-offline; `npm cache`
# is never run). Then starts the last stage the way its ENTRYPOINT and CMD do, as an
# unprivileged user (nobody when run as root), with the data dir on a scratch "volume",
# --host 127.0.0.1 and a free --port; waits for the HEALTHCHECK command to pass; gets the admin
# kubeconfig through `kubelite kubeconfig --server ...` (the container's `docker exec` path) and
# runs `kubectl get ns` with it; stops the server with SIGTERM, which must exit 0.
#
#   bash scripts/image-check.sh           the whole check (~40-60 s: two npm ci from the cache)
#   bash scripts/image-check.sh --fast    the same, but the two `npm ci` take their packages from
#                                         this checkout's node_modules (installed from the same
#                                         package-lock.json) instead of installing (~20-40 s less)
#   IMAGE_CHECK_KEEP=1 bash ...           keep the scratch directory afterwards (its path is printed)
#
# Prints `image-check: ...` progress lines and, last, `image-check: OK ...`; exits non-zero on
# the first failure, with the server's log.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
fast=""
case ${1:-} in
  --fast) fast=1 ;;
  "") ;;
  *) echo "usage: $0 [--fast]" >&2; exit 2 ;;
esac
dockerfile=$root/Dockerfile
# Scratch space: two node_modules (~210 MB, ~9000 files) are written and removed, which takes
# tens of seconds on a slow disk; a RAM-backed /dev/shm with room (not a container's 64 MB one)
# makes both fast. IMAGE_CHECK_TMPDIR chooses another place.
scratch=${IMAGE_CHECK_TMPDIR:-}
if [[ -z $scratch ]]; then
  scratch=${TMPDIR:-/tmp}
  if [[ -d /dev/shm && -w /dev/shm ]] && (( $(df -Pk /dev/shm | awk 'NR == 2 { print $4 }') > 1048576 )); then scratch=/dev/shm; fi
fi
work=$(mktemp -d "$scratch/kubelite-image.XXXXXX")
chmod 755 "$work"
started=$(date +%s%N)
server_pid=""

say() { printf 'image-check: %s\n' "$*"; }
die() {
  printf 'image-check: FAIL: %s\n' "$*" >&2
  if [[ -f $work/server.log ]]; then
    printf -- '--- server log (last 40 lines) ---\n' >&2
    tail -n 40 "$work/server.log" >&2
  fi
  exit 1
}
seconds_since() { echo "$(( ($(date +%s%N) - $1) / 1000000 ))" | awk '{ printf "%.1f", $1 / 1000 }'; }
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  if [[ -n ${IMAGE_CHECK_KEEP:-} ]]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# --- the Dockerfile, as logical lines: continuations joined, comments and blank lines dropped
mapfile -t lines < <(sed -e 's/^[[:space:]]*#.*$//' "$dockerfile" |
  awk '{ if (sub(/\\[[:space:]]*$/, "")) { buf = buf $0 " "; next } print buf $0; buf = "" }' |
  grep -v '^[[:space:]]*$')

# JSON array (exec form) → one element per line of the named array.
json_array() { # name json
  mapfile -t "$1" < <(node -e 'for (const a of JSON.parse(process.argv[1])) console.log(a)' "$2") ||
    die "not a JSON array: $2"
}

# The .dockerignore is an allow-list (`*`, then `!path` lines): a COPY source from the
# context must be one of those paths or under one, or `docker build` would not see it.
mapfile -t allowed < <(sed -n 's/^!\(.*\)$/\1/p' "$root/.dockerignore" | sed 's:/*$::')
in_context() {
  local src=${1#./} a
  src=${src%/}
  for a in "${allowed[@]}"; do [[ $src == "$a" || $src == "$a"/* ]] && return 0; done
  return 1
}
[[ $(grep -v '^#' "$root/.dockerignore" | grep -v '^[[:space:]]*$' | head -1) == '*' ]] ||
  die ".dockerignore: expected an allow-list starting with '*'"

declare -A stage_dir=()
stage="" dir="" stage_env=() entrypoint_json="" cmd_json="" health_json="" user="" volume="" exposed=""
emulated_bin=$work/usr-local-bin
mkdir -p "$emulated_bin"

# A path in the image → where it is here: /app is the stage's directory, /usr/local/bin ours.
map_path() { # dir path
  case $2 in
    /app) echo "$1" ;;
    /app/*) echo "$1/${2#/app/}" ;;
    /usr/local/bin/*) echo "$emulated_bin/${2#/usr/local/bin/}" ;;
    /*) die "path $2: the check maps /app and /usr/local/bin only" ;;
    *) echo "$1/${2#./}" ;;
  esac
}

do_copy() {
  local from="" a
  local -a srcs=()
  for a in "$@"; do
    case $a in
      --from=*) from=${a#--from=} ;;
      --*) die "COPY $a: an option the check does not follow" ;;
      *) srcs+=("$a") ;;
    esac
  done
  local dest=${srcs[-1]}
  unset 'srcs[-1]'
  local target
  target=$(map_path "$dir" "$dest")
  for a in "${srcs[@]}"; do
    local path
    [[ $a != *[*?[]* ]] || die "COPY $a: globs are not followed by the check"
    if [[ -n $from ]]; then
      [[ -n ${stage_dir[$from]:-} ]] || die "COPY --from=$from: no such stage"
      path=$(map_path "${stage_dir[$from]}" "$a")
    else
      in_context "$a" || die "COPY $a: excluded from the build context by .dockerignore"
      path=$root/${a#./}
    fi
    [[ -e $path ]] || die "COPY ${from:+--from=$from }$a: $path does not exist"
    if [[ -d $path ]]; then
      mkdir -p "$target" && cp -R --preserve=timestamps "$path/." "$target/"
    elif [[ $dest == */ || ${#srcs[@]} -gt 1 ]]; then
      mkdir -p "$target" && cp --preserve=timestamps "$path" "$target/"
    else
      mkdir -p "$(dirname "$target")" && cp --preserve=timestamps "$path" "$target"
    fi
  done
}

# --fast: what `npm ci` would install, from this checkout's node_modules: all of it (linked) for
# a full install, the packages package-lock.json does not mark dev-only (copied) for --omit=dev.
fast_ci() {
  local t0
  t0=$(date +%s%N)
  [[ -d $root/node_modules ]] || die "--fast needs this checkout's node_modules (npm ci)"
  cmp -s "$root/package-lock.json" "$dir/package-lock.json" || die "--fast: $dir/package-lock.json is not this checkout's"
  if [[ $1 == *--omit=dev* ]]; then
    (cd "$dir" && node -e '
      const fs = require("fs"), path = require("path");
      const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
      for (const [p, meta] of Object.entries(lock.packages)) {
        // Top-level packages only: each brings the packages nested in it.
        if (!/^node_modules\/(@[^/]+\/)?[^/]+$/.test(p) || meta.dev) continue;
        if (meta.optional && !fs.existsSync(path.join(process.argv[1], p))) continue; // for another platform
        fs.cpSync(path.join(process.argv[1], p), p, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
      }
      // The commands of the packages copied (npm rebuild runs node-gyp-build from here).
      fs.mkdirSync("node_modules/.bin", { recursive: true });
      for (const name of fs.readdirSync(path.join(process.argv[1], "node_modules/.bin"))) {
        const target = fs.readlinkSync(path.join(process.argv[1], "node_modules/.bin", name));
        if (fs.existsSync(path.join("node_modules/.bin", target))) fs.symlinkSync(target, path.join("node_modules/.bin", name));
      }' "$root") || die "--fast: copying the production packages failed"
  else
    ln -s "$root/node_modules" "$dir/node_modules"
  fi
  say "[$stage] $1 (--fast: from $root/node_modules): $(seconds_since "$t0") s"
}

do_run() {
  local c t0
  while IFS= read -r c; do
    c=$(sed 's/^[[:space:]]*//; s/[[:space:]]*$//' <<<"$c")
    case $c in
      'npm cache'*) say "[$stage] skip: $c (would touch this machine's npm cache)" ;;
      npm\ ci*--omit=dev*) [[ -n $fast ]] && { fast_ci "$c"; continue; } ;&
      npm\ ci*)
        [[ -n $fast ]] && { fast_ci "$c"; continue; }
        t0=$(date +%s%N)
        (cd "$dir" && env "${stage_env[@]}" bash -c "$c --prefer-offline" >"$work/npm.log" 2>&1) ||
          { tail -n 30 "$work/npm.log" >&2; die "[$stage] $c failed"; }
        say "[$stage] $c --prefer-offline: $(seconds_since "$t0") s" ;;
      npm\ *)
        t0=$(date +%s%N)
        (cd "$dir" && env "${stage_env[@]}" bash -c "$c" >"$work/npm.log" 2>&1) ||
          { tail -n 30 "$work/npm.log" >&2; die "[$stage] $c failed"; }
        say "[$stage] $c: $(seconds_since "$t0") s" ;;
      'ln -s '*)
        local -a ln_args
        read -r -a ln_args <<<"${c#ln -s }"
        ln -s "$(map_path "$dir" "${ln_args[0]}")" "$(map_path "$dir" "${ln_args[1]}")"
        say "[$stage] $c (emulated under $work)" ;;
      *) say "[$stage] system setup, emulated below: $c" ;;
    esac
  done < <(sed 's/ && /\n/g' <<<"$1")
}

for line in "${lines[@]}"; do
  read -r instr rest <<<"$line"
  case ${instr^^} in
    FROM)
      stage=$(sed -nE 's/.*[[:space:]][Aa][Ss][[:space:]]+([^[:space:]]+)[[:space:]]*$/\1/p' <<<"$rest")
      stage=${stage:-stage${#stage_dir[@]}}
      dir=$work/$stage
      mkdir -p "$dir"
      stage_dir[$stage]=$dir
      stage_env=()
      entrypoint_json="" cmd_json="" health_json="" user="" ;;
    WORKDIR) [[ $rest == /app ]] || die "WORKDIR $rest: the check maps /app only" ;;
    ENV) read -r -a more <<<"$rest"; stage_env+=("${more[@]}") ;;
    COPY) read -r -a copy_args <<<"$rest"; do_copy "${copy_args[@]}" ;;
    RUN) do_run "$rest" ;;
    USER) user=$rest ;;
    VOLUME) json_array volumes "$rest"; volume=${volumes[0]} ;;
    EXPOSE) exposed=$rest ;;
    HEALTHCHECK) health_json=${rest#*CMD } ;;
    ENTRYPOINT) entrypoint_json=$rest ;;
    CMD) cmd_json=$rest ;;
    ARG | LABEL) ;;
    *) die "Dockerfile: $instr is not followed by the check" ;;
  esac
done
runtime=$dir
say "built the ${#stage_dir[@]} stages; runtime layout: $(cd "$runtime" && echo *)"

# --- what the runtime layout must and must not hold
[[ -n $entrypoint_json && -n $cmd_json && -n $health_json && -n $volume && -n $user ]] ||
  die "the last stage needs ENTRYPOINT, CMD, HEALTHCHECK CMD, VOLUME and USER"
[[ $user != root && $user != 0 ]] || die "USER $user: the server must not run as root"
[[ ! -e $runtime/src ]] || die "src/ is in the runtime layout (bin/kubelite.js would compare it with dist/)"
[[ -f $runtime/dist/main.js && -f $runtime/dist/build-stamp ]] || die "no built dist/ in the runtime layout"
dev_present=$(cd "$runtime" && node -e '
  const lock = JSON.parse(require("fs").readFileSync("package-lock.json", "utf8"));
  const dev = Object.entries(lock.packages).filter(([p, m]) => p && m.dev).map(([p]) => p);
  console.log(dev.filter((p) => require("fs").existsSync(p)).join(" "));')
[[ -z $dev_present ]] || die "development-only packages in the runtime node_modules: $dev_present"
say "runtime sizes: $(cd "$runtime" && du -sh node_modules dist schemas stages | awk '{ printf "%s %s, ", $2, $1 }')total $(du -sh "$runtime" | cut -f1)"

json_array entry "$entrypoint_json"
json_array cmd "$cmd_json"
json_array health "$health_json"
# The image's own defaults must agree with each other: CMD's data dir is the volume, its port
# the exposed one, and the health check's defaults are that port and the CA in that volume.
cmd_value() { local i; for ((i = 0; i < ${#cmd[@]} - 1; i++)); do [[ ${cmd[i]} == "$1" ]] && echo "${cmd[i + 1]}"; done; }
[[ $(cmd_value --data-dir) == "$volume" ]] || die "CMD --data-dir $(cmd_value --data-dir) is not the VOLUME $volume"
[[ $(cmd_value --port) == "${exposed%%/*}" ]] || die "CMD --port $(cmd_value --port) is not the EXPOSEd $exposed"
health_script=$(map_path "$runtime" "${health[-1]}")
grep -q "https://127.0.0.1:$(cmd_value --port)/readyz" "$health_script" && grep -q "$volume/pki/ca.crt" "$health_script" ||
  die "$health_script: its defaults are not https://127.0.0.1:$(cmd_value --port)/readyz and $volume/pki/ca.crt"

# --- start it as the image would, unprivileged
data=$work/volume
mkdir -p "$data"
if [[ $(id -u) == 0 ]]; then
  chown nobody:nogroup "$data"
  as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
  run_user=nobody
else
  as_user=()
  run_user=$(id -un)
fi
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
args=()
for ((i = 0; i < ${#cmd[@]}; i++)); do
  args+=("${cmd[i]}")
  case ${cmd[i]} in
    --data-dir) args+=("$data"); i=$((i + 1)) ;;
    --host) args+=(127.0.0.1); i=$((i + 1)) ;;
    --port) args+=("$port"); i=$((i + 1)) ;;
  esac
done
export PATH="$emulated_bin:$PATH"
for ((i = 0; i < ${#entry[@]}; i++)); do [[ ${entry[i]} == /* ]] && entry[i]=$(map_path "$runtime" "${entry[i]}"); done
command -v "${entry[0]}" >/dev/null || die "ENTRYPOINT ${entry[0]} is not on the image's PATH"
say "starting as $run_user: ${entry[*]} ${args[*]}"
t_start=$(date +%s%N)
env "${stage_env[@]}" "${as_user[@]}" "${entry[@]}" "${args[@]}" >"$work/server.log" 2>&1 &
server_pid=$!

# --- the HEALTHCHECK command, until it passes (as Docker runs it: as the image's user)
for ((i = 0; i < ${#health[@]}; i++)); do [[ ${health[i]} == /* ]] && health[i]=$(map_path "$runtime" "${health[i]}"); done
healthy=""
for _ in $(seq 1 120); do
  kill -0 "$server_pid" 2>/dev/null || die "the server exited before it was healthy"
  if out=$(env KUBELITE_HEALTHCHECK_URL="https://127.0.0.1:$port/readyz" KUBELITE_HEALTHCHECK_CA="$data/pki/ca.crt" \
    "${as_user[@]}" "${health[@]}" 2>&1); then
    healthy=$out
    break
  fi
  sleep 0.5
done
[[ -n $healthy ]] || die "HEALTHCHECK never passed: $out"
say "healthy after $(seconds_since "$t_start") s: $healthy"
! grep -q 'through tsx' "$work/server.log" || die "the server ran src/ through tsx, not dist/"

# --- the kubeconfig subcommand (what `docker exec kubelite kubelite kubeconfig ...` runs) and kubectl
"${as_user[@]}" kubelite kubeconfig --data-dir "$data" --server "https://localhost:$port" >"$work/kubeconfig" 2>"$work/kubeconfig.err" ||
  die "kubelite kubeconfig failed: $(cat "$work/kubeconfig.err")"
[[ ! -s $work/kubeconfig.err ]] || die "kubelite kubeconfig warned: $(cat "$work/kubeconfig.err")"
grep -q "server: https://localhost:$port\$" "$work/kubeconfig" || die "the printed kubeconfig does not point at https://localhost:$port"
namespaces=$(kubectl --kubeconfig "$work/kubeconfig" get ns -o name) || die "kubectl get ns failed"
grep -qx 'namespace/default' <<<"$namespaces" && grep -qx 'namespace/kube-system' <<<"$namespaces" ||
  die "kubectl get ns: $namespaces"
say "kubectl get ns through \`kubelite kubeconfig --server https://localhost:$port\`: $(echo $namespaces)"

# --- SIGTERM (docker stop) must end it cleanly, within docker stop's default 10 s grace period
# (after which Docker sends SIGKILL and the store is not closed)
t_stop=$(date +%s%N)
kill -TERM "$server_pid"
rc=0
while kill -0 "$server_pid" 2>/dev/null && (( $(date +%s%N) - t_stop < 10000000000 )); do sleep 0.1; done
if kill -0 "$server_pid" 2>/dev/null; then
  die "still running 10 s after SIGTERM: \`docker stop\` would SIGKILL it$(grep -q 'did not stop in time' "$work/server.log" && echo ' (a worker did not stop in time, see the log)')"
fi
wait "$server_pid" || rc=$?
server_pid=""
[[ $rc == 0 ]] || die "exited with status $rc after SIGTERM"
say "stopped by SIGTERM in $(seconds_since "$t_stop") s, exit status 0"
say "OK in $(seconds_since "$started") s"
