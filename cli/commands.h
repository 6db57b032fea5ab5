/* The subcommands of `vigil`: each is a main() of its own in cmd_<name>.c. */
#ifndef VIGIL_CLI_COMMANDS_H
#define VIGIL_CLI_COMMANDS_H

int vigil_cmd_detect(int argc, char **argv);
int vigil_cmd_import(int argc, char **argv);
int vigil_cmd_track(int argc, char **argv);
int vigil_cmd_eval(int argc, char **argv);
int vigil_cmd_synth(int argc, char **argv);
int vigil_cmd_analyze(int argc, char **argv);
int vigil_cmd_broker(int argc, char **argv);
int vigil_cmd_bench(int argc, char **argv);

#endif
