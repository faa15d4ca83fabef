//SMOKE    JOB (ACCT1),'CI BOT',CLASS=B,MSGCLASS=X,
//             NOTIFY=&SYSUID,TIME=(2,30)
//* build and test
//BUILD    EXEC PGM=BPXBATCH
//STDPARM  DD *
SH cd /src &&
  make all
/*
//STDOUT   DD SYSOUT=*
//STDERR   DD SYSOUT=*
//TEST     EXEC PGM=BPXBATCH,PARM='SH make check',COND=(4,LT)
//STDOUT   DD SYSOUT=A
//
