-- group_people is no longer fed or read: its rows were copied into group_presence by 0091.
DROP TABLE IF EXISTS group_people;
