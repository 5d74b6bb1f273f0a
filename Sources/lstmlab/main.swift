import LSTMLabCLI

LSTMLab.main()
