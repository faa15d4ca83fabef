//* The bridge_run.sh job: two steps, each running the payload's run.sh
//* with its scenario.json, both in-stream; the test sets the mode.
//SMOKE    JOB (GL),'GREENLIGHT',CLASS=A,MSGCLASS=A
//STEP1    EXEC PGM=BPXBATCH,PARM='SH exec sh $DD_RUN 1 MODE ${attempt}'
//RUN      DD *
${instream:run.sh}
/*
//SCENARIO DD *
${instream:scenario.json}
/*
//STDOUT   DD SYSOUT=*
//STDERR   DD SYSOUT=*
//STEP2    EXEC PGM=BPXBATCH,PARM='SH exec sh $DD_RUN 2 MODE ${attempt}'
//RUN      DD *
${instream:run.sh}
/*
//SCENARIO DD *
${instream:scenario.json}
/*
//STDOUT   DD SYSOUT=*
//STDERR   DD SYSOUT=*
//SCRIPT   DD SYSOUT=*
//
