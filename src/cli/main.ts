/** `qianfan-models`: the command line (work in progress). */
process.stdout.write('qianfan-models\n');
