//J JOB 1,'O''BRIEN'
//S1 EXEC PGM=BPXBATCH,
//          PARM=('SH echo a',
//          'b'),TIME=5
//STDIN DD DATA,DLM=$$
echo one
/* data
$$
//S2 EXEC PGM=BPXBATCH,PARM='PGM /bin/ls -l',COND=((0,NE,S1),EVEN)
