#!/usr/bin/env bash
# scripts/slurm/cluster.sh - idempotently install and start a single-node SLURM
# test cluster on this host (Debian 12, root, no systemd, no cgroups), used by
# tests/slurm/test_slurm.py and by anyone who wants to try profiles/slurm locally.
# Adapted from the measured shared/slurm/cluster.sh (see docs/slurm.md).
#
#   bash scripts/slurm/cluster.sh [start]   install if needed, write config, start daemons
#   bash scripts/slurm/cluster.sh stop      stop ONLY the daemons this script started (by PID)
#   bash scripts/slurm/cluster.sh status    show what is running and sinfo (rc 0 iff up)
#
# Environment knobs (all optional):
#   CODEPEFT_SLURM_GPUS=2        number of fake GPUs (gres gpu:fake:N; 0 = no gres)
#   CODEPEFT_SLURM_WITH_DBD=0    1 = also install/start MariaDB + slurmdbd (sacct works)
#   CODEPEFT_SLURM_CLUSTER=codepeft
#   CODEPEFT_SLURM_SMOKE=1       run `srun true` at the end as a health check
#   CODEPEFT_SLURM_RUN=/run/codepeft-slurm   where PIDs we own and fake GPU links live
#   CODEPEFT_SLURM_KEEP_STATE=0  1 = keep queued/running job state across restarts
#                                (default starts slurmctld/slurmd with -c: clean queue)
#   CODEPEFT_SLURM_WAIT=60       seconds to wait for the node to become idle
#
# Partitions: "debug" (default) and "gpu", both containing this one node.
# Status queries: without slurmdbd `sacct` fails ("Slurm accounting storage is
# disabled"), so snakemake-executor-plugin-slurm must be run with
# `slurm-status-command: squeue` (MinJobAge=600 keeps finished jobs in squeue).
set -euo pipefail

GPUS=${CODEPEFT_SLURM_GPUS:-2}
WITH_DBD=${CODEPEFT_SLURM_WITH_DBD:-0}
CLUSTER=${CODEPEFT_SLURM_CLUSTER:-codepeft}
SMOKE=${CODEPEFT_SLURM_SMOKE:-1}
RUN=${CODEPEFT_SLURM_RUN:-/run/codepeft-slurm}
WAIT=${CODEPEFT_SLURM_WAIT:-60}
KEEP_STATE=${CODEPEFT_SLURM_KEEP_STATE:-0}
H=$(hostname -s)
CONF=/etc/slurm/slurm.conf
DBD_PASS=slurmtestpw

log() { printf '[cluster.sh %(%T)T] %s\n' -1 "$*" >&2; }

# ---------------------------------------------------------------- helpers --
# Is PID running (exists and is not a zombie waiting to be reaped)?
proc_running() { # pid
  [[ -r /proc/$1/status ]] || return 1
  ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# Is PID in FILE running and is its command NAME?
pid_alive() { # file name
  local f=$1 name=$2 pid comm
  [[ -s $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [[ $comm == "$name"* ]] && proc_running "$pid"
}

retry_apt() { # apt-get args...; waits for locks held by concurrent apt/dpkg
  local i
  for i in $(seq 1 60); do
    if apt-get -o DPkg::Lock::Timeout=120 "$@"; then return 0; fi
    log "apt-get $1 failed (lock held by someone else?), retry $i/60 in 5s"
    sleep 5
  done
  return 1
}

install_packages() {
  local pkgs=() p
  for p in munge slurmctld slurmd slurm-client slurm-wlm-basic-plugins; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || pkgs+=("$p")
  done
  if [[ $WITH_DBD == 1 ]]; then
    for p in slurmdbd mariadb-server; do
      dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || pkgs+=("$p")
    done
  fi
  if ((${#pkgs[@]})); then
    log "installing: ${pkgs[*]}"
    # keep maintainer scripts from starting daemons via init.d (this image
    # already ships a policy-rc.d that exits 101; add one only if missing)
    local made_policy=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
      chmod 755 /usr/sbin/policy-rc.d
      made_policy=1
      trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    retry_apt update -qq
    DEBIAN_FRONTEND=noninteractive retry_apt install -y -qq --no-install-recommends "${pkgs[@]}"
    if ((made_policy)); then rm -f /usr/sbin/policy-rc.d; trap - EXIT; fi
  fi
}

write_if_changed() { # path mode; content on stdin. returns 0 if changed
  local path=$1 mode=$2 tmp
  tmp=$(mktemp)
  cat >"$tmp"
  if [[ -f $path ]] && cmp -s "$tmp" "$path"; then rm -f "$tmp"; return 1; fi
  install -D -m "$mode" "$tmp" "$path"
  rm -f "$tmp"
  return 0
}

# ------------------------------------------------------------------ config --
write_config() {
  local cpus sockets cores threads mem realmem gres_node="" features="" changed=1
  # hardware as slurmd sees it, e.g. "NodeName=vm CPUs=2 ... RealMemory=24105"
  local hw; hw=$(slurmd -C | head -1)
  cpus=$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$hw")
  sockets=$(sed -n 's/.*SocketsPerBoard=\([0-9]*\).*/\1/p' <<<"$hw")
  cores=$(sed -n 's/.*CoresPerSocket=\([0-9]*\).*/\1/p' <<<"$hw")
  threads=$(sed -n 's/.*ThreadsPerCore=\([0-9]*\).*/\1/p' <<<"$hw")
  mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$hw")
  realmem=$((mem * 80 / 100))          # leave headroom; more than real => DRAIN
  if ((GPUS > 0)); then
    gres_node=" Gres=gpu:fake:$GPUS"
    features=" Features=fakegpu"
  fi
  local acct="AccountingStorageType=accounting_storage/none"
  if [[ $WITH_DBD == 1 ]]; then
    acct=$'AccountingStorageType=accounting_storage/slurmdbd\nAccountingStorageHost=localhost\nAccountingStoragePort=6819\nAccountingStorageTRES=gres/gpu'
  fi

  write_if_changed "$CONF" 644 <<EOF && changed=0
# managed by cluster.sh - single-node, cgroup-free test cluster
ClusterName=$CLUSTER
SlurmctldHost=$H(127.0.0.1)
AuthType=auth/munge
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
JobAcctGatherType=jobacct_gather/linux
$acct
JobCompType=jobcomp/none
SchedulerType=sched/backfill
# reject (instead of leaving PENDING forever) jobs asking for more CPUs/nodes than exist
EnforcePartLimits=ALL
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# without this a job lacking --mem is given the whole node's memory
DefMemPerCPU=1024
ReturnToService=2
# keep finished jobs visible to squeue for 10 min (plugin's squeue status mode)
MinJobAge=600
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
# seconds between SIGTERM and SIGKILL on scancel/preemption/time limit: the
# training saves a checkpoint on SIGTERM (real clusters default to 30 s)
KillWait=15
MpiDefault=none
GresTypes=gpu
NodeName=$H NodeAddr=127.0.0.1 CPUs=$cpus Sockets=$sockets CoresPerSocket=$cores ThreadsPerCore=$threads RealMemory=$realmem$gres_node$features State=UNKNOWN
PartitionName=debug Nodes=$H Default=YES MaxTime=INFINITE State=UP
PartitionName=gpu Nodes=$H Default=NO MaxTime=INFINITE State=UP
EOF

  # fake GPU device files: gres/gpu needs character devices; symlinks to
  # /dev/null pass the check and give CUDA_VISIBLE_DEVICES=0,1,... in jobs
  mkdir -p "$RUN"
  local files=""
  if ((GPUS > 0)); then
    local i
    for ((i = 0; i < GPUS; i++)); do ln -sfn /dev/null "$RUN/fakegpu$i"; done
    files="NodeName=$H Name=gpu Type=fake File=$RUN/fakegpu[0-$((GPUS - 1))]"
  fi
  write_if_changed /etc/slurm/gres.conf 644 <<<"$files" && changed=0

  if [[ $WITH_DBD == 1 ]]; then
    write_if_changed /etc/slurm/slurmdbd.conf 600 <<EOF && changed=0
AuthType=auth/munge
DbdHost=localhost
DbdPort=6819
SlurmUser=root
LogFile=/var/log/slurm/slurmdbd.log
PidFile=/run/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageLoc=slurm_acct_db
StorageUser=slurm
StoragePass=$DBD_PASS
EOF
  fi
  return $changed
}

# ----------------------------------------------------------------- daemons --
start_munge() {
  if pid_alive /run/munge/munged.pid munged; then return; fi
  [[ -s /etc/munge/munge.key ]] || { mungekey --create --keyfile=/etc/munge/munge.key; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
  install -d -o munge -g munge -m 755 /run/munge
  runuser -u munge -- /usr/sbin/munged
  cp /run/munge/munged.pid "$RUN/munged.pid"
  log "munged started (pid $(<"$RUN/munged.pid"))"
}

start_mariadb() {
  if timeout 5 mysqladmin ping >/dev/null 2>&1; then return; fi
  install -d -o mysql -g root -m 755 /run/mysqld
  setsid /usr/sbin/mariadbd --user=mysql --bind-address=127.0.0.1 \
    --socket=/run/mysqld/mysqld.sock --pid-file=/run/mysqld/mysqld.pid \
    >/var/log/slurm/mariadb-test.log 2>&1 </dev/null &
  local i
  for i in $(seq 1 120); do timeout 5 mysqladmin ping >/dev/null 2>&1 && break; sleep 0.25; done
  cp /run/mysqld/mysqld.pid "$RUN/mariadbd.pid"
  mysql -e "CREATE DATABASE IF NOT EXISTS slurm_acct_db;
            CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '$DBD_PASS';
            ALTER USER 'slurm'@'localhost' IDENTIFIED BY '$DBD_PASS';
            GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; FLUSH PRIVILEGES;"
  log "mariadbd started (pid $(<"$RUN/mariadbd.pid"))"
}

start_slurmdbd() {
  local i
  if ! pid_alive /run/slurmdbd.pid slurmdbd; then
    slurmdbd
    for i in $(seq 1 40); do pid_alive /run/slurmdbd.pid slurmdbd && break; sleep 0.25; done
    cp /run/slurmdbd.pid "$RUN/slurmdbd.pid"
    log "slurmdbd started (pid $(<"$RUN/slurmdbd.pid"))"
  fi
  # slurmctld should find slurmdbd listening, or sacct stays empty for a while
  for i in $(seq 1 120); do (exec 3<>/dev/tcp/127.0.0.1/6819) 2>/dev/null && return 0; sleep 0.25; done
  log "slurmdbd is not listening on 6819"; tail -5 /var/log/slurm/slurmdbd.log >&2; return 1
}

start_slurm_daemon() { # name
  local name=$1
  if pid_alive "/run/$name.pid" "$name"; then return; fi
  # -c: drop saved job state. After an unclean stop (SIGKILL at the end of a
  # CI run) the saved state can hold "RUNNING" ghost jobs that pin resources.
  local clear=-c i
  if [[ $KEEP_STATE == 1 ]]; then clear=; fi
  "$name" $clear     # daemonizes; writes /run/$name.pid
  for i in $(seq 1 40); do pid_alive "/run/$name.pid" "$name" && break; sleep 0.25; done
  cp "/run/$name.pid" "$RUN/$name.pid"
  log "$name started (pid $(<"$RUN/$name.pid"))"
}

stop_owned() { # stop only the daemons whose PID we recorded in $RUN
  local phase name f pid i pids jobs
  # cancel our cluster's jobs first: a job's slurmstepd outlives slurmd and
  # would linger (retrying to report completion) after slurmd is gone
  if pid_alive "$RUN/slurmctld.pid" slurmctld && pid_alive "$RUN/slurmd.pid" slurmd; then
    jobs=$(timeout 5 squeue -h -o %i -t PD,R,CG,S,CF 2>/dev/null | tr '\n' ' ' || true)
    if [[ -n ${jobs// /} ]]; then
      log "cancelling jobs: $jobs"
      timeout 10 scancel $jobs || true
      for i in $(seq 1 60); do
        [[ -z $(timeout 5 squeue -h -o %i -t R,CG 2>/dev/null) ]] && break
        sleep 0.25
      done
    fi
  fi
  for phase in "slurmd slurmctld" "slurmdbd mariadbd munged"; do
    pids=()
    for name in $phase; do
      f=$RUN/$name.pid
      [[ -s $f ]] || continue
      pid=$(<"$f")
      if pid_alive "$f" "$name"; then
        kill "$pid" && pids+=("$pid") && log "SIGTERM $name ($pid)"
      fi
      rm -f "$f"
    done
    for pid in ${pids[@]+"${pids[@]}"}; do
      for i in $(seq 1 80); do proc_running "$pid" || break; sleep 0.25; done
      if proc_running "$pid"; then log "$pid ignored SIGTERM, sending SIGKILL"; kill -9 "$pid" || true; fi
    done
  done
}

wait_node_ready() { # deadline-based; every client call is bounded by timeout
  local deadline=$((SECONDS + $WAIT)) st=""
  while ((SECONDS < deadline)); do
    st=$(timeout 5 sinfo -h -n "$H" -o %T 2>/dev/null | head -1 || true)
    case $st in
      idle* | mixed* | allocated* | completing*) log "node $H is $st"; return 0 ;;
      down* | drain* | fail*) timeout 5 scontrol update NodeName="$H" State=RESUME >/dev/null 2>&1 || true ;;
    esac
    sleep 0.25
  done
  log "node did not become ready within $WAITs; last state '$st'"
  timeout 5 sinfo -R || true
  tail -20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
  return 1
}

do_start() {
  [[ $EUID == 0 ]] || { echo "must run as root" >&2; exit 1; }
  install_packages
  mkdir -p "$RUN" /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
  local changed=1 name pid i
  write_config && changed=0
  if ((changed == 0)); then
    # config differs from what running daemons loaded: restart the ones we own
    for name in slurmd slurmctld; do
      if [[ -s $RUN/$name.pid ]] && pid_alive "$RUN/$name.pid" "$name"; then
        pid=$(<"$RUN/$name.pid")
        log "config changed, restarting $name ($pid)"; kill "$pid"
        for i in $(seq 1 80); do proc_running "$pid" || break; sleep 0.25; done
        if proc_running "$pid"; then kill -9 "$pid"; fi
        rm -f "$RUN/$name.pid"
      elif pid_alive "/run/$name.pid" "$name"; then
        log "WARNING: config changed but $name (pid $(</run/$name.pid)) was not started by this script; not touching it"
      fi
    done
  fi
  start_munge
  if [[ $WITH_DBD == 1 ]]; then start_mariadb; start_slurmdbd; fi
  start_slurm_daemon slurmctld
  start_slurm_daemon slurmd
  wait_node_ready
  if [[ $SMOKE == 1 ]]; then
    timeout 60 srun -N1 -n1 -t 1 true || { log "srun smoke test failed"; exit 1; }
    log "srun smoke test ok"
  fi
}

do_status() {
  local name
  for name in munged mariadbd slurmdbd slurmctld slurmd; do
    if [[ -s $RUN/$name.pid ]] && pid_alive "$RUN/$name.pid" "$name"; then
      echo "$name: running (pid $(<"$RUN/$name.pid"), started by this script)"
    else
      echo "$name: not owned/running"
    fi
  done
  # rc 0 only when the controller answers and the node can take jobs
  timeout 5 sinfo -o '%P %a %D %T %N %c %m %G %f' 2>&1 || return 1
  local st
  st=$(timeout 5 sinfo -h -n "$H" -o %T 2>/dev/null | head -1 || true)
  case $st in idle* | mixed* | allocated* | completing*) return 0 ;; *) return 1 ;; esac
}

case ${1:-start} in
  start) do_start ;;
  stop) stop_owned ;;
  status) do_status ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
