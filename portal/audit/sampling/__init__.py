"""Field-check sampling (抽查): stratified draws of payroll lines and their checks."""
