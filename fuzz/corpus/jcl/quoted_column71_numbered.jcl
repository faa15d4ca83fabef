//QUOTED JOB CLASS=A,MSGCLASS=X                                         00010000
//S1 EXEC PGM=BPXBATCH,PARM='SH echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 00020000
//             yz'                                                      00030000
//STDOUT DD SYSOUT=*                                                    00040000
