/*
 * paths.h: where the state and config files are, by the search orders of
 * aiops(7). Results are newly allocated (free them) or NULL.
 */
#ifndef AIOPS_PATHS_H
#define AIOPS_PATHS_H

/*
 * --state, else $AIOPS_STATE, else $STATE_DIRECTORY/state.db (systemd),
 * else $XDG_STATE_HOME/aiops/state.db ($HOME/.local/state when unset).
 */
char *aiops_path_state(const char *opt);
/*
 * --config, else $AIOPS_CONFIG, else $XDG_CONFIG_HOME/aiops/aiops.yaml
 * ($HOME/.config when unset) if it exists, else SYSCONFDIR/aiops/aiops.yaml
 * if it exists, else NULL (built-in defaults). *explicit is set when the
 * file was named (then a missing file is an error, not a default).
 */
char *aiops_path_config(const char *opt, int *explicit);
/* mkdir -p with mode for the directories of path (not the last part). */
int aiops_mkdirs_for(const char *path, int mode);

#endif
