#!/usr/bin/env bash
#SBATCH --job-name=gproc-job
#SBATCH --nodes=4
#SBATCH --ntasks-per-node=1
# A Slurm batch job driven by gproc: gprocd on every allocated node (as you, with keys made for this job alone),
# then a Groovy job script through `gproc run` and a pdsh-style `gproc exec`, then the daemons stop.
#
#   sbatch samples/slurm-job.sh [JOB.groovy]      # from the checkout; default samples/hello.groovy
#
# gproc must be on PATH (scripts/ of a checkout, or bin/ of the distribution). The job directory
# ~/.gproc/slurm/$SLURM_JOB_ID must be on a file system every node sees (the home directory usually is).
set -euo pipefail

script=${1:-samples/hello.groovy}

gproc slurm up                      # one gprocd per node; prints the nodes and their ports on stderr
trap 'gproc slurm down' EXIT        # also stopped by Slurm when the job ends or is cancelled

gproc run "$script"                 # bindings: nodes = this allocation's nodes, cluster, args
gproc exec -b -w "$SLURM_JOB_NODELIST" -- uname -sr
